package dev.velocitypreview.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.testcontainers.kafka.KafkaContainer;

import dev.velocitypreview.embedded.EmbeddedKafkaBroker;

/**
 * A real Kafka broker for tests: an {@code apache/kafka} container when Docker is available,
 * otherwise a KRaft broker inside the test JVM. {@link #shared()} is one broker per test JVM;
 * {@link #startDedicated()} gives a test a broker of its own that it may stop and start again.
 */
public final class TestKafka implements AutoCloseable {

    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";

    private static TestKafka shared;

    private final EmbeddedKafkaBroker embedded;
    private final KafkaContainer container;

    private TestKafka(EmbeddedKafkaBroker embedded, KafkaContainer container) {
        this.embedded = embedded;
        this.container = container;
    }

    /** The broker shared by every test of this JVM; started on first use, stopped when the JVM exits. */
    public static synchronized TestKafka shared() {
        if (shared == null) {
            shared = startDedicated();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "test-kafka-stop"));
        }
        return shared;
    }

    /** A broker of the caller's own; the caller closes it. */
    public static TestKafka startDedicated() {
        if (Infrastructure.chosen() == Infrastructure.CONTAINERS) {
            KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);
            container.start();
            return new TestKafka(null, container);
        }
        try {
            Path dir = Files.createTempDirectory("test-kafka-");
            return new TestKafka(new EmbeddedKafkaBroker(dir, 0, 0).start(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return embedded != null ? embedded.bootstrapServers() : container.getBootstrapServers();
    }

    /** Stops the broker but keeps its data, so {@link #start()} brings the same broker back (same address). */
    public void stop() {
        if (embedded != null) {
            embedded.close();
        } else {
            container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
        }
    }

    /** Starts a broker stopped with {@link #stop()} again. */
    public void start() {
        if (embedded != null) {
            embedded.start();
        } else {
            container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        } else {
            container.stop();
        }
    }
}
