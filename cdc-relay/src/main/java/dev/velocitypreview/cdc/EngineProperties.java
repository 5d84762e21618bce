package dev.velocitypreview.cdc;

import java.util.List;
import java.util.Properties;

import dev.velocitypreview.cdc.internal.OwnedAdminKafkaOffsetBackingStore;
import dev.velocitypreview.core.topic.Topics;
import io.debezium.connector.postgresql.PostgresConnector;
import io.debezium.transforms.ExtractNewRecordState;

/** The Debezium engine and PostgreSQL connector configuration of a relay. */
final class EngineProperties {

    /**
     * Prefix of Debezium's logical topic names. Never a Kafka topic of ours (records are routed by
     * {@link TableChangeConsumer}), but part of the offsets' key, so it must never change.
     */
    static final String TOPIC_PREFIX = "velocity_preview";

    private EngineProperties() {
    }

    /** Debezium's topic for changes of {@code table} ({@code schema.table}). */
    static String sourceTopic(String table) {
        return TOPIC_PREFIX + "." + table;
    }

    static Properties of(ChangelogRelaySettings settings) {
        PostgresUrl database = settings.database();
        Properties p = new Properties();
        // The engine name keys the stored offsets; tying it to the slot makes offsets follow the slot.
        p.setProperty("name", "velocity-cdc-" + settings.slotName());
        p.setProperty("connector.class", PostgresConnector.class.getName());
        p.setProperty("topic.prefix", TOPIC_PREFIX);

        p.setProperty("database.hostname", database.host());
        p.setProperty("database.port", Integer.toString(database.port()));
        p.setProperty("database.dbname", database.database());
        p.setProperty("database.user", settings.username());
        p.setProperty("database.password", settings.password().value());

        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", settings.slotName());
        p.setProperty("publication.name", settings.publicationName());
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", String.join(",", settings.tables()));
        // A file's notice names its project and path, so those are its key: they are what a DELETE's before-image
        // holds (the table's replica identity is its unique (project_id, file_path) index), the id is not.
        p.setProperty("message.key.columns", ChangelogRelaySettings.PROJECT_FILES_TABLE + ":project_id,file_path");
        // Notices carry no content: leaving it out of the events keeps large files out of the relay's memory.
        p.setProperty("column.exclude.list", quoted(ChangelogRelaySettings.PROJECT_FILES_TABLE) + "\\.content");
        // A notice wakes the syncs of machines running now; a snapshot would send one for every file ever stored.
        List<String> snapshotted = settings.tables().stream()
                .filter(table -> !table.equals(ChangelogRelaySettings.PROJECT_FILES_TABLE))
                .map(EngineProperties::quoted).toList();
        if (!snapshotted.isEmpty()) {
            p.setProperty("snapshot.include.collection.list", String.join(",", snapshotted));
        }
        // Rows that exist before the slot does are read once by a snapshot, then the slot streams. Unlike
        // "initial", "when_needed" also snapshots again when the stored offsets point at WAL the slot no
        // longer has (a dropped and recreated slot): a re-read duplicates rows, a gap would lose changes.
        p.setProperty("snapshot.mode", "when_needed");
        // A successor often starts while its predecessor's walsender still exits; retry the slot soon.
        p.setProperty("slot.retry.delay.ms", "1000");
        p.setProperty("heartbeat.interval.ms", Long.toString(settings.heartbeatInterval().toMillis()));
        p.setProperty("poll.interval.ms", Long.toString(settings.pollInterval().toMillis()));
        // The flattening turns deletes into tombstones itself; the connector's own would be dropped.
        p.setProperty("tombstones.on.delete", "false");

        p.setProperty("transforms", "unwrap");
        p.setProperty("transforms.unwrap.type", ExtractNewRecordState.class.getName());
        p.setProperty("transforms.unwrap.delete.tombstone.handling.mode", "tombstone");
        p.setProperty("transforms.unwrap.add.headers", "source.ts_ms");
        // One batch at a time is tiny here; a thread pool per record would only cost context switches.
        p.setProperty("record.processing.threads", "1");

        // Kafka Connect's KafkaOffsetBackingStore, minus the admin client Debezium leaks per engine run.
        p.setProperty("offset.storage", OwnedAdminKafkaOffsetBackingStore.class.getName());
        p.setProperty("offset.storage.topic", Topics.CDC_OFFSETS);
        p.setProperty("offset.storage.partitions", Integer.toString(settings.offsetsTopicPartitions()));
        p.setProperty("offset.storage.replication.factor", Short.toString(settings.replicationFactor()));
        p.setProperty("offset.flush.interval.ms", Long.toString(settings.offsetFlushInterval().toMillis()));
        p.setProperty("bootstrap.servers", settings.bootstrapServers());

        p.putAll(settings.engineOverrides());
        return p;
    }

    /** A {@code schema.table} name as the regular expression Debezium's collection and column lists take. */
    private static String quoted(String table) {
        return table.replace(".", "\\.").replace("$", "\\$");
    }
}
