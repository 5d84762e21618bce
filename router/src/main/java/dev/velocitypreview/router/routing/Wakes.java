package dev.velocitypreview.router.routing;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.SessionStatus.Routing;
import dev.velocitypreview.core.session.SessionView;

/**
 * Wakes suspended sessions that requests are held for: one RESUME per session while its wake is pending, however
 * many requests wait for it, and another only when the first is {@link #REPUBLISH_AFTER} old (the provisioner
 * ignores a RESUME of a session that is active already). A wake is pending from its RESUME until a request held
 * for the session is decided.
 *
 * <p>Thread-safe.
 */
final class Wakes {

    /** A wake pending this long may have been lost on its way (a provisioner restarting): ask again. */
    static final Duration REPUBLISH_AFTER = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(Wakes.class);

    private final ResumeSender sender;
    private final RouterMetrics metrics;
    private final Clock clock;
    /** When the pending RESUME of each session was published, in {@link System#nanoTime()}. */
    private final Map<UUID, Long> pending = new ConcurrentHashMap<>();

    Wakes(ResumeSender sender, RouterMetrics metrics, Clock clock) {
        this.sender = Objects.requireNonNull(sender, "sender == null");
        this.metrics = Objects.requireNonNull(metrics, "metrics == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
    }

    /** A request is held for {@code session}, which is suspended: publishes its RESUME unless one is pending. */
    void requested(SessionView session) {
        UUID id = session.id();
        long now = System.nanoTime();
        boolean[] publish = {false};
        pending.compute(id, (key, since) -> {
            if (since != null && now - since < REPUBLISH_AFTER.toNanos()) {
                return since;
            }
            publish[0] = true;
            return now;
        });
        if (!publish[0]) {
            return;
        }
        SessionCommand.Resume resume = SessionCommand.resume(id, session.userId(), clock.instant());
        LOG.atInfo().addKeyValue("session", id).addKeyValue("command", resume.commandId())
                .log("waking suspended session for a held request");
        sender.send(resume).whenComplete((ack, error) -> {
            if (error == null) {
                metrics.wakeRequested(RouterMetrics.PUBLISHED);
                return;
            }
            metrics.wakeRequested(RouterMetrics.FAILED);
            // the next request asks again; this one is held until the session wakes or the hold runs out
            pending.remove(id, now);
            LOG.atWarn().addKeyValue("session", id).addKeyValue("cause", error.toString())
                    .log("resume command not acknowledged");
        });
    }

    /** A request held for {@code sessionId} was decided on {@code latest}: its wake, if one was pending, is over. */
    void settled(UUID sessionId, SessionView latest) {
        Long since = pending.remove(sessionId);
        if (since != null && latest.status().routing() == Routing.ROUTE) {
            metrics.woken(Duration.ofNanos(System.nanoTime() - since));
        }
    }

    /** Sessions whose wake is pending right now. */
    int pending() {
        return pending.size();
    }
}
