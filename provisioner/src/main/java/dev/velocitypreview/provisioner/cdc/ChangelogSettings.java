package dev.velocitypreview.provisioner.cdc;

import java.time.Duration;
import java.util.Map;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.velocitypreview.core.config.PositiveDuration;

import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_HEARTBEAT_INTERVAL_S;
import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_OFFSET_FLUSH_INTERVAL_S;
import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_POLL_INTERVAL_MS;
import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_PROJECT_FILES_RETENTION_H;
import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_PROJECT_FILES_TOPIC_PARTITIONS;
import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_PUBLICATION_NAME;
import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_REPLICATION_FACTOR;
import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_SESSIONS_TOPIC_PARTITIONS;
import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_SLOT_NAME;
import static dev.velocitypreview.cdc.ChangelogRelaySettings.DEFAULT_STANDBY_RETRY_S;

/**
 * The CDC relay the provisioner hosts, under {@code velocity.provisioner.cdc}. The database it
 * reads is the provisioner's own ({@code spring.datasource.*}); the broker is
 * {@code velocity.provisioner.kafka.bootstrap-servers}. The defaults are the relay's own
 * ({@link dev.velocitypreview.cdc.ChangelogRelaySettings}'s constants), named here so they are documented.
 *
 * @param enabled                 run a relay in this process; several provisioners may all enable it,
 *                                only one streams at a time (the others wait on an advisory lock)
 * @param slotName                the logical replication slot
 * @param publicationName         the publication the slot reads, created filtered to the captured tables
 * @param pollInterval            how long the engine waits for more changes before handing over a batch;
 *                                Debezium's default of 500 ms would put ~500 ms on every change
 * @param heartbeatInterval       heartbeat period, so an idle table does not pin WAL
 * @param offsetFlushInterval     how often relayed positions are stored; bounds what a successor replays
 * @param sessionsTopicPartitions partitions of {@code preview.sessions} when the relay creates it
 * @param projectFilesTopicPartitions partitions of {@code preview.project-files} when the relay creates it
 * @param projectFilesRetention   how long {@code preview.project-files} keeps a notice when the relay creates it
 *                                (delete policy: a notice only wakes the syncs of machines waiting now, a machine
 *                                that was away catches up by syncing, so the topic needs no history)
 * @param replicationFactor       replication factor of the topics the relay creates (3 on a real cluster)
 * @param standbyRetry            how often a standby relay tries to take over
 * @param producer                raw Kafka producer settings laid over the relay's own
 * @param engine                  raw Debezium engine and connector settings laid over the relay's own
 */
@ConfigurationProperties("velocity.provisioner.cdc")
@Validated
public record ChangelogSettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue(DEFAULT_SLOT_NAME) @NotBlank String slotName,
        @DefaultValue(DEFAULT_PUBLICATION_NAME) @NotBlank String publicationName,
        @DefaultValue(DEFAULT_POLL_INTERVAL_MS + "ms") @PositiveDuration Duration pollInterval,
        @DefaultValue(DEFAULT_HEARTBEAT_INTERVAL_S + "s") @PositiveDuration Duration heartbeatInterval,
        @DefaultValue(DEFAULT_OFFSET_FLUSH_INTERVAL_S + "s") @PositiveDuration Duration offsetFlushInterval,
        @DefaultValue(DEFAULT_SESSIONS_TOPIC_PARTITIONS + "") @Min(1) int sessionsTopicPartitions,
        @DefaultValue(DEFAULT_PROJECT_FILES_TOPIC_PARTITIONS + "") @Min(1) int projectFilesTopicPartitions,
        @DefaultValue(DEFAULT_PROJECT_FILES_RETENTION_H + "h") @PositiveDuration Duration projectFilesRetention,
        @DefaultValue(DEFAULT_REPLICATION_FACTOR + "") @Min(1) short replicationFactor,
        @DefaultValue(DEFAULT_STANDBY_RETRY_S + "s") @PositiveDuration Duration standbyRetry,
        Map<String, String> producer,
        Map<String, String> engine) {

    public ChangelogSettings {
        producer = producer == null ? Map.of() : Map.copyOf(producer);
        engine = engine == null ? Map.of() : Map.copyOf(engine);
    }
}
