package dev.velocitypreview.cdc;

import java.util.Objects;

import org.apache.kafka.connect.source.SourceRecord;

/**
 * How the flattened changes of one captured table become records of one of the platform's topics. Called by the
 * engine's one consumer thread.
 */
interface TableRoute {

    /** The captured table, {@code schema.table}. */
    String table();

    /**
     * The record to send for one change of {@link #table()}, or null when the change is to be passed over (the route
     * logged why).
     *
     * @throws ChangeNotRelayedException when the change cannot be read (the batch then fails, and is streamed again)
     */
    Outgoing outgoing(SourceRecord change);

    /**
     * One change ready for Kafka.
     *
     * @param value   the record's value; null for a tombstone
     * @param subject what the change is about, for logs: {@code session} or {@code project} and its id
     * @param summary the change in a few words, for logs and errors ("session change (version 3)")
     */
    record Outgoing(String topic, String key, byte[] value, Subject subject, String summary) {
        public Outgoing {
            Objects.requireNonNull(topic, "topic == null");
            Objects.requireNonNull(key, "key == null");
            Objects.requireNonNull(subject, "subject == null");
            Objects.requireNonNull(summary, "summary == null");
        }
    }

    /**
     * What a change is about, as a log line's key and value.
     *
     * @param kind {@code session} or {@code project}
     */
    record Subject(String kind, String id) {
    }
}
