package dev.velocitypreview.cleanup;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

import dev.velocitypreview.machines.MachineInventory;

import static org.awaitility.Awaitility.await;

/** A cleanup instance started the way the launcher starts it, against the test broker, on a test clock. */
final class RunningCleanup implements AutoCloseable {

    final ConfigurableApplicationContext context;

    private RunningCleanup(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static RunningCleanup start(String bootstrapServers, String applicationId, Clock clock, MachineInventory inventory,
                                Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("server.port", 0);
        properties.put("velocity.cleanup.kafka.bootstrap-servers", bootstrapServers);
        properties.put("velocity.cleanup.kafka.application-id", applicationId);
        properties.put("velocity.cleanup.tick", "100ms");
        properties.put("velocity.cleanup.orphan-interval", "300ms");
        // quick hand-over of partitions between instances of one test
        properties.put("velocity.cleanup.kafka.streams.commit.interval.ms", "100");
        properties.putAll(overrides);
        return new RunningCleanup(CleanupApplication.start(properties, clock, inventory));
    }

    KafkaStreams streams() {
        return context.getBean(StreamsBuilderFactoryBean.class).getKafkaStreams();
    }

    /** What this instance's store holds for a session (null when it holds nothing or the partition is elsewhere). */
    TrackedSession tracked(UUID session) {
        try {
            ReadOnlyKeyValueStore<String, TrackedSession> store = streams().store(StoreQueryParameters.fromNameAndType(
                    CleanupTopology.SESSIONS_STORE, QueryableStoreTypes.keyValueStore()));
            return store.get(session.toString());
        } catch (InvalidStateStoreException e) {
            return null; // rebalancing or restoring: not known here right now
        }
    }

    /** What {@code /actuator/prometheus} on the management port says. */
    String scrape() throws IOException, InterruptedException {
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/actuator/prometheus answered " + response.statusCode());
        }
        return response.body();
    }

    /** Waits until the streams run with partitions assigned. */
    RunningCleanup awaitRunning() {
        await().atMost(Duration.ofSeconds(60)).until(() -> streams() != null
                && streams().state() == KafkaStreams.State.RUNNING
                && streams().metadataForLocalThreads().stream().anyMatch(thread -> !thread.activeTasks().isEmpty()));
        return this;
    }

    @Override
    public void close() {
        context.close();
    }
}
