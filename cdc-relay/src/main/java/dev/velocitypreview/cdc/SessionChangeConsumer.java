package dev.velocitypreview.cdc;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.topic.Topics;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;

/**
 * Relays a batch of flattened {@code preview_sessions} changes to {@link Topics#SESSIONS} and marks
 * the batch processed only once Kafka has acknowledged every record of it. Keys are the session id as
 * plain UUID text; values are the row as JSON with the table's column names; deletes are tombstones.
 * Records of other tables and heartbeats are not sent anywhere but are marked processed, so the
 * offsets (and the replication slot) move on past them.
 *
 * <p>The engine calls {@link #handleBatch} from one thread at a time.
 */
final class SessionChangeConsumer implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private static final Logger LOG = LoggerFactory.getLogger(SessionChangeConsumer.class);

    /** Where {@code ExtractNewRecordState} puts {@code source.ts_ms} (its {@code add.headers}). */
    static final String SOURCE_TS_HEADER = "__source_ts_ms";

    private final Producer<String, byte[]> producer;
    private final String sessionsSourceTopic;
    private final Duration sendTimeout;
    private final RelayCounters counters;
    private final Clock clock;
    private final JsonConverter rowConverter = new JsonConverter();

    /**
     * @param sessionsSourceTopic the Debezium topic of {@code public.preview_sessions} changes
     *                            ({@code <topic.prefix>.public.preview_sessions})
     */
    SessionChangeConsumer(Producer<String, byte[]> producer, String sessionsSourceTopic, Duration sendTimeout,
                          RelayCounters counters, Clock clock) {
        this.producer = producer;
        this.sessionsSourceTopic = sessionsSourceTopic;
        this.sendTimeout = sendTimeout;
        this.counters = counters;
        this.clock = clock;
        rowConverter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), false);
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> events,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Relayed> sent = new ArrayList<>(events.size());
        for (RecordChangeEvent<SourceRecord> event : events) {
            SourceRecord record = event.record();
            if (!sessionsSourceTopic.equals(record.topic())) {
                continue;
            }
            String sessionId = sessionId(record);
            byte[] row = record.value() == null
                    ? null
                    : rowConverter.fromConnectData(record.topic(), record.valueSchema(), record.value());
            Long version = version(record);
            Future<RecordMetadata> ack;
            try {
                ack = producer.send(new ProducerRecord<>(Topics.SESSIONS.name(), sessionId, row));
            } catch (KafkaException e) {
                throw new ChangeNotRelayedException(sessionId, "kafka refused the change of session " + sessionId
                        + " (version " + version + ") on " + Topics.SESSIONS.name() + ": " + e.getMessage(), e);
            }
            sent.add(new Relayed(sessionId, version, sourceTimestamp(record), ack));
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
            LOG.atDebug().addKeyValue("session", relayed.sessionId()).addKeyValue("version", relayed.version())
                    .log(relayed.version() == null ? "session deletion relayed" : "session change relayed");
        }
    }

    private void awaitAcknowledgement(Relayed relayed, long deadline) throws InterruptedException {
        try {
            relayed.ack().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new ChangeNotRelayedException(relayed.sessionId(), "kafka did not store the change of session " + relayed.sessionId()
                    + " (version " + relayed.version() + ") on " + Topics.SESSIONS.name() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ChangeNotRelayedException(relayed.sessionId(), "kafka did not acknowledge the change of session "
                    + relayed.sessionId() + " (version " + relayed.version() + ") on " + Topics.SESSIONS.name()
                    + " within " + sendTimeout, e);
        }
    }

    /** The session id as plain UUID text, not Debezium's key struct. */
    private static String sessionId(SourceRecord record) {
        if (!(record.key() instanceof Struct key) || key.schema().field("id") == null) {
            throw new ChangeNotRelayedException(null, "a preview_sessions change from " + record.topic()
                    + " has no id in its key: " + record.key(), null);
        }
        Object id = key.get("id");
        try {
            return UUID.fromString(String.valueOf(id)).toString();
        } catch (IllegalArgumentException e) {
            throw new ChangeNotRelayedException(null, "a preview_sessions change has an id that is not a UUID: " + id, e);
        }
    }

    private static Long version(SourceRecord record) {
        if (record.value() instanceof Struct row && row.schema().field("version") != null) {
            return row.getInt64("version");
        }
        return null;
    }

    private static Long sourceTimestamp(SourceRecord record) {
        Header header = record.headers().lastWithName(SOURCE_TS_HEADER);
        return header != null && header.value() instanceof Long millis ? millis : null;
    }

    private record Relayed(String sessionId, Long version, Long sourceTimestampMillis, Future<RecordMetadata> ack) {
    }
}
