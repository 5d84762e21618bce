package dev.velocitypreview.provisioner.cdc;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The CDC relay the provisioner hosts, under {@code velocity.provisioner.cdc}. The database it
 * reads is the provisioner's own ({@code spring.datasource.*}); the broker is
 * {@code velocity.provisioner.kafka.bootstrap-servers}.
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
 * @param replicationFactor       replication factor of the topics the relay creates (3 on a real cluster)
 * @param standbyRetry            how often a standby relay tries to take over
 * @param producer                raw Kafka producer settings laid over the relay's own
 * @param engine                  raw Debezium engine and connector settings laid over the relay's own
 */
@ConfigurationProperties("velocity.provisioner.cdc")
public record ChangelogSettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("velocity_preview") String slotName,
        @DefaultValue("velocity_preview_pub") String publicationName,
        @DefaultValue("10ms") Duration pollInterval,
        @DefaultValue("10s") Duration heartbeatInterval,
        @DefaultValue("1s") Duration offsetFlushInterval,
        @DefaultValue("6") int sessionsTopicPartitions,
        @DefaultValue("1") short replicationFactor,
        @DefaultValue("5s") Duration standbyRetry,
        Map<String, String> producer,
        Map<String, String> engine) {

    public ChangelogSettings {
        producer = producer == null ? Map.of() : Map.copyOf(producer);
        engine = engine == null ? Map.of() : Map.copyOf(engine);
    }
}
