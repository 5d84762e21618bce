package dev.velocitypreview.cdc;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;

/**
 * Relays a batch of flattened changes, each to the topic its table's {@link TableRoute} names, and marks the batch
 * processed only once Kafka has acknowledged every record of it. Records of tables without a route and heartbeats are
 * not sent anywhere but are marked processed, so the offsets (and the replication slot) move on past them.
 *
 * <p>The engine calls {@link #handleBatch} from one thread at a time.
 */
final class TableChangeConsumer implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private static final Logger LOG = LoggerFactory.getLogger(TableChangeConsumer.class);

    /** Where {@code ExtractNewRecordState} puts {@code source.ts_ms} (its {@code add.headers}). */
    static final String SOURCE_TS_HEADER = "__source_ts_ms";

    private final Producer<String, byte[]> producer;
    /** By Debezium's topic of the table's changes ({@code <topic.prefix>.<schema>.<table>}). */
    private final Map<String, TableRoute> routes = new HashMap<>();
    private final Duration sendTimeout;
    private final RelayCounters counters;
    private final Clock clock;

    TableChangeConsumer(Producer<String, byte[]> producer, List<TableRoute> routes, Duration sendTimeout,
                        RelayCounters counters, Clock clock) {
        this.producer = producer;
        for (TableRoute route : routes) {
            this.routes.put(EngineProperties.sourceTopic(route.table()), route);
        }
        this.sendTimeout = sendTimeout;
        this.counters = counters;
        this.clock = clock;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> events,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Relayed> sent = new ArrayList<>(events.size());
        for (RecordChangeEvent<SourceRecord> event : events) {
            SourceRecord record = event.record();
            TableRoute route = routes.get(record.topic());
            if (route == null) {
                continue;
            }
            TableRoute.Outgoing outgoing = route.outgoing(record);
            if (outgoing == null) {
                continue;
            }
            Future<RecordMetadata> ack;
            try {
                ack = producer.send(new ProducerRecord<>(outgoing.topic(), outgoing.key(), outgoing.value()));
            } catch (KafkaException e) {
                throw new ChangeNotRelayedException(outgoing.subject(), "kafka refused the " + outgoing.summary()
                        + " of " + describe(outgoing) + " on " + outgoing.topic() + ": " + e.getMessage(), e);
            }
            sent.add(new Relayed(outgoing, sourceTimestamp(record), ack));
        }

        long deadline = System.nanoTime() + sendTimeout.toNanos();
        for (Relayed relayed : sent) {
            awaitAcknowledgement(relayed, deadline);
        }

        // Only now, with every record stored by Kafka, may the engine move its offsets past them.
        for (RecordChangeEvent<SourceRecord> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();

        if (sent.isEmpty()) {
            return;
        }
        counters.batchRelayed(sent.size());
        Relayed last = sent.get(sent.size() - 1);
        if (last.sourceTimestampMillis() != null) {
            counters.lag(clock.millis() - last.sourceTimestampMillis());
        }
        for (Relayed relayed : sent) {
            TableRoute.Subject subject = relayed.outgoing().subject();
            LOG.atDebug().addKeyValue(subject.kind(), subject.id()).addKeyValue("topic", relayed.outgoing().topic())
                    .log(relayed.outgoing().summary() + " relayed");
        }
    }

    private void awaitAcknowledgement(Relayed relayed, long deadline) throws InterruptedException {
        TableRoute.Outgoing outgoing = relayed.outgoing();
        try {
            relayed.ack().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new ChangeNotRelayedException(outgoing.subject(), "kafka did not store the " + outgoing.summary()
                    + " of " + describe(outgoing) + " on " + outgoing.topic() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new ChangeNotRelayedException(outgoing.subject(), "kafka did not acknowledge the "
                    + outgoing.summary() + " of " + describe(outgoing) + " on " + outgoing.topic() + " within "
                    + sendTimeout, e);
        }
    }

    private static String describe(TableRoute.Outgoing outgoing) {
        return outgoing.subject().kind() + " " + outgoing.subject().id();
    }

    private static Long sourceTimestamp(SourceRecord record) {
        Header header = record.headers().lastWithName(SOURCE_TS_HEADER);
        return header != null && header.value() instanceof Long millis ? millis : null;
    }

    private record Relayed(TableRoute.Outgoing outgoing, Long sourceTimestampMillis, Future<RecordMetadata> ack) {
    }
}
