package dev.velocitypreview.bench.wake;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import dev.velocitypreview.bench.rig.Pause;
import dev.velocitypreview.bench.rig.PlatformRig;
import dev.velocitypreview.bench.rig.SessionApi;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;

/**
 * Scenario 9: a suspended preview's first byte. For each session, one after the other: create it, get its preview
 * (200), time one more request while it is ACTIVE, publish its SUSPEND on the command topic (as cleanup does once
 * the tier's idle timeout has passed; the team tier's hour is far longer than the run, so the bench issues it) and
 * wait until the session is SUSPENDED, then time the request that wakes it: the router publishes RESUME and holds
 * the request, the provisioner resumes the machine (SIGCONT locally), the ACTIVE row reaches the router.
 */
public final class WakeScenario {

    /** @param sessions sessions suspended and woken, one after the other */
    public record Settings(int sessions) {
    }

    private static final Duration VIEW_WAIT = Duration.ofSeconds(60);
    /**
     * The router's directory reads the same changelog as the bench's, a few milliseconds apart (scenario 2's lag);
     * a request sent before the router's copy says SUSPENDED is proxied to the stopped machine and held again only
     * once the router's copy catches up, so its time would include that lag. Not part of any figure: timing starts
     * with the request.
     */
    private static final Duration ROUTER_CATCH_UP = Duration.ofMillis(250);

    private final PlatformRig rig;

    public WakeScenario(PlatformRig rig) {
        this.rig = rig;
    }

    public WakeResult run(Settings settings) throws IOException, InterruptedException {
        System.out.printf("bench: wake to first byte, %d sessions%n", settings.sessions());
        long started = System.nanoTime();
        String user = "bench-wake";
        String token = rig.token(user);
        SessionApi api = rig.api();
        List<WakeResult.Trace> traces = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        try (KafkaProducer<String, SessionCommand> commands = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rig.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "0"),
                Topics.SESSION_COMMANDS.keySerde().serializer(), Topics.SESSION_COMMANDS.valueSerde().serializer())) {
            for (int i = 0; i < settings.sessions(); i++) {
                SessionApi.Accepted session = api.create(token, rig.staticProject(user));
                ids.add(session.sessionId());
                traces.add(session(session, commands));
                api.terminate(token, session.statusUrl());
            }
        }
        for (UUID id : ids) {
            rig.directory().sessions().await(id, view -> view.status().isTerminal(), rig.machineWait()).join();
        }
        return new WakeResult(settings, traces, Duration.ofNanos(System.nanoTime() - started));
    }

    private WakeResult.Trace session(SessionApi.Accepted session, KafkaProducer<String, SessionCommand> commands)
            throws IOException, InterruptedException {
        UUID id = session.sessionId();
        // the first request waits for the machine to be provisioned; it is not a figure of this scenario
        FirstByte provisioned = firstByte(session.previewUrl(), rig.machineWait().plusSeconds(30));
        if (provisioned.status() != 200) {
            throw new IllegalStateException("preview of " + id + " answered " + provisioned.status());
        }
        FirstByte active = firstByte(session.previewUrl(), VIEW_WAIT);
        SessionView view = rig.directory().sessions().await(id, v -> v.status() == SessionStatus.ACTIVE, VIEW_WAIT)
                .join();

        publish(commands, SessionCommand.suspend(id, view.userId(), Instant.now()));
        rig.directory().sessions().await(id, v -> v.status() == SessionStatus.SUSPENDED, VIEW_WAIT).join();
        Pause.of(ROUTER_CATCH_UP);

        FirstByte woken = firstByte(session.previewUrl(), rig.machineWait());
        return new WakeResult.Trace(id, active.status(), active.millis(), woken.status(), woken.millis());
    }

    private static void publish(KafkaProducer<String, SessionCommand> commands, SessionCommand command) {
        try {
            commands.send(new ProducerRecord<>(Topics.SESSION_COMMANDS.name(), command.sessionId().toString(), command))
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("suspend of " + command.sessionId() + " not acknowledged", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private record FirstByte(int status, double millis) {
    }

    /** Request sent → status line and headers received (the body is read afterwards, outside the figure). */
    private FirstByte firstByte(URI url, Duration timeout) throws IOException, InterruptedException {
        long sent = System.nanoTime();
        HttpResponse<InputStream> response = rig.http().send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        double millis = (System.nanoTime() - sent) / 1e6;
        try (InputStream body = response.body()) {
            body.transferTo(OutputStream.nullOutputStream());
        }
        return new FirstByte(response.statusCode(), millis);
    }
}
