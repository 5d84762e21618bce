package dev.velocitypreview.cdc;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;

/**
 * One run of the Debezium engine with the producer it relays through, from start until it stops,
 * by {@link #close()} or by failing. A run is never restarted: the relay starts a new one.
 *
 * <p>{@link #close()} is called by the one thread that started the run.
 */
final class EngineRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EngineRun.class);
    /** How long a stop may take: the engine waits for its tasks and flushes offsets. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** How the engine ended: its completion callback's arguments. */
    record Outcome(boolean success, String message, Throwable error) {
    }

    private final String slot;
    private final Producer<String, byte[]> producer;
    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final ExecutorService runner;
    private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
    private volatile boolean polling;

    private EngineRun(ChangelogRelaySettings settings, RelayCounters counters, Producer<String, byte[]> producer) {
        this.slot = settings.slotName();
        this.producer = producer;
        TableChangeConsumer consumer = new TableChangeConsumer(producer,
                List.of(new SessionRoute(), new ProjectFileRoute()), settings.sendTimeout(), counters, Clock.systemUTC());
        // The default builder factory is the async engine (ConvertingAsyncEngineBuilderFactory).
        this.engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(EngineProperties.of(settings))
                .notifying(consumer)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void pollingStarted() {
                        polling = true;
                        LOG.atInfo().addKeyValue("slot", slot).log("relay streaming");
                    }

                    @Override
                    public void pollingStopped() {
                        polling = false;
                    }
                })
                .using((success, message, error) -> {
                    polling = false;
                    completion.complete(new Outcome(success, message, error));
                })
                .build();
        this.runner = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "cdc-engine-" + slot));
    }

    /** Creates the producer and the engine and starts the engine on a thread of its own. */
    static EngineRun start(ChangelogRelaySettings settings, RelayCounters counters) {
        Producer<String, byte[]> producer = new KafkaProducer<>(producerConfig(settings), new StringSerializer(),
                new ByteArraySerializer());
        EngineRun run;
        try {
            run = new EngineRun(settings, counters, producer);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        run.runner.execute(() -> {
            try {
                run.engine.run();
            } finally {
                // run() reports through the callback before it returns; this only covers a run that did not.
                run.completion.complete(new Outcome(false, "engine returned without reporting how it ended", null));
            }
        });
        return run;
    }

    static Map<String, Object> producerConfig(ChangelogRelaySettings settings) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "velocity-cdc-" + settings.slotName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Every change waits for its acknowledgement before the next batch: batching in the producer only adds delay.
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // Without metadata (Kafka unreachable) send() itself blocks: no longer than a batch may wait.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.sendTimeout().toMillis());
        config.putAll(settings.producerOverrides());
        return config;
    }

    /** Completes when the engine has stopped, for whatever reason. */
    CompletableFuture<Outcome> completion() {
        return completion;
    }

    /** True while the engine's task polls for changes (after startup, before stop). */
    boolean isPolling() {
        return polling && !completion.isDone();
    }

    /** Stops the engine if it still runs, waits for it, then closes the producer. */
    @Override
    public void close() throws InterruptedException {
        try {
            stopEngine();
            try {
                completion.get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.atWarn().addKeyValue("slot", slot).addKeyValue("timeout", STOP_TIMEOUT)
                        .log("engine did not stop in time");
            } catch (ExecutionException e) {
                throw new IllegalStateException("completion is never completed exceptionally", e);
            }
        } finally {
            producer.close(PRODUCER_CLOSE_TIMEOUT);
            runner.shutdown();
            if (!runner.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                runner.shutdownNow();
            }
        }
    }

    private void stopEngine() throws InterruptedException {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (!completion.isDone()) {
            try {
                engine.close();
                return;
            } catch (IllegalStateException e) {
                // The engine refuses to stop while its tasks start (or is already stopping): ask again shortly.
                if (System.nanoTime() > deadline) {
                    LOG.atWarn().addKeyValue("slot", slot).addKeyValue("reason", e.getMessage())
                            .log("engine refused to stop");
                    return;
                }
                try {
                    completion.get(50, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException retry) {
                    // still running: try again
                }
            } catch (IOException e) {
                LOG.atWarn().addKeyValue("slot", slot).addKeyValue("reason", e.getMessage())
                        .log("engine failed to stop cleanly");
                return;
            }
        }
    }
}
