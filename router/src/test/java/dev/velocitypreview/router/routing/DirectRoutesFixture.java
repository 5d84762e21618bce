package dev.velocitypreview.router.routing;

import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.velocitypreview.core.session.SessionStatus;

/** {@link DirectRoutes} over sessions a test of another package sets, recording use and measuring forwards. */
public final class DirectRoutesFixture {

    private final InMemorySessions sessions = new InMemorySessions();
    private final RecordingUse use = new RecordingUse();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DirectRoutes routes = new DirectRoutes(sessions, new PreviewGate(null, java.time.Clock.systemUTC()), use,
            new RouterMetrics(registry, sessions), "preview.localhost");

    public DirectRoutes routes() {
        return routes;
    }

    public void active(UUID id, long version, String machineUrl) {
        sessions.put(Views.active(id, version, machineUrl));
    }

    public void privateActive(UUID id, long version, String machineUrl) {
        sessions.put(Views.privately(Views.active(id, version, machineUrl)));
    }

    public void suspended(UUID id, long version, String machineUrl) {
        sessions.put(Views.view(id, SessionStatus.SUSPENDED, version, null, null, machineUrl));
    }

    /** "began:id" and "ended:id", in order. */
    public List<String> useEvents() {
        return use.events;
    }

    /** How many forwards ended with {@code outcome} ("forwarded", "machine_unreachable", "left_machine"). */
    public long forwards(String outcome) {
        Timer timer = registry.find(RouterMetrics.FORWARD_DURATION).tag("outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }
}
