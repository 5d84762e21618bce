package dev.velocitypreview.cleanup;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.cleanup.CleanupReport;
import dev.velocitypreview.core.topic.Topics;

/**
 * Cleanup's topology: {@code preview.sessions}, {@code preview.session-activity} and
 * {@code preview.cleanup-requests}, co-partitioned, into one {@link CleanupProcessor} per partition with two
 * persistent stores ({@value #SESSIONS_STORE}: what it knows of each session; {@value #DEADLINES_STORE}: when
 * each may next be due, keyed so that a range scan reads only what is due), writing commands to
 * {@code preview.session-commands} and reports to the reply topic each request names.
 */
final class CleanupTopology {

    static final String SESSIONS_STORE = "cleanup-sessions";
    static final String DEADLINES_STORE = "cleanup-deadlines";
    static final String PROCESSOR = "cleanup";
    static final String COMMANDS_SINK = "commands";
    static final String REPORTS_SINK = "reports";

    private CleanupTopology() {
    }

    /** Adds cleanup's sources, processor, stores and sinks to {@code topology}, and returns it. */
    static Topology addTo(Topology topology, CleanupProcessor.Settings settings) {
        topology.addSource("sessions", Topics.SESSIONS.keySerde().deserializer(),
                Topics.SESSIONS.valueSerde().deserializer(), Topics.SESSIONS.name());
        topology.addSource("activity", Topics.SESSION_ACTIVITY.keySerde().deserializer(),
                Topics.SESSION_ACTIVITY.valueSerde().deserializer(), Topics.SESSION_ACTIVITY.name());
        topology.addSource("requests", Topics.CLEANUP_REQUESTS.keySerde().deserializer(),
                Topics.CLEANUP_REQUESTS.valueSerde().deserializer(), Topics.CLEANUP_REQUESTS.name());
        topology.addProcessor(PROCESSOR, () -> new CleanupProcessor(settings), "sessions", "activity", "requests");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSIONS_STORE),
                Serdes.String(), StoreSerdes.trackedSession()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEADLINES_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        topology.addSink(COMMANDS_SINK, Topics.SESSION_COMMANDS.name(), Topics.SESSION_COMMANDS.keySerde().serializer(),
                Topics.SESSION_COMMANDS.valueSerde().serializer(), PROCESSOR);
        topology.addSink(REPORTS_SINK, replyTopic(), Serdes.String().serializer(),
                Topics.CLEANUP_REPORTS.valueSerde().serializer(), replyPartition(), PROCESSOR);
        return topology;
    }

    /** The reply topic a request named (spring-kafka's {@code kafka_replyTopic}, copied onto the reply). */
    private static TopicNameExtractor<String, CleanupReport> replyTopic() {
        return (key, report, context) -> {
            Header topic = context.headers().lastHeader(KafkaHeaders.REPLY_TOPIC);
            return topic == null ? Topics.CLEANUP_REPORTS.name() : new String(topic.value(), StandardCharsets.UTF_8);
        };
    }

    /**
     * The reply partition a request named. A partitioner sees no headers, so the processor keys a reply with
     * the partition it must go to ({@link CleanupProcessor#REPLY_PARTITION_KEY}); a reply without a key goes
     * where the producer puts it.
     */
    private static StreamPartitioner<String, CleanupReport> replyPartition() {
        return (topic, key, report, partitions) -> key == null ? Optional.empty()
                : Optional.of(Set.of(Integer.parseInt(key)));
    }
}
