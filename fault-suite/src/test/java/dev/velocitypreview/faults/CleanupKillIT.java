package dev.velocitypreview.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.topic.Topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 8: two cleanup instances (one group) share the partitions while sessions expire in two waves (ttl
 * one minute and 75 s); the instance that issued the first expiry gets SIGKILL at once, and is
 * restarted once the second wave is done. Every session is terminated (reason expired) by exactly one TERMINATE
 * on the commands topic, read {@code read_committed} as the provisioner reads it, and ends TERMINATED.
 */
class CleanupKillIT {

    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration SECOND_WAVE_LATER = Duration.ofSeconds(15);
    private static final int PER_WAVE = 4;

    @Test
    void cleanupKilledMidWayExpiresEverySessionExactlyOnce() {
        long started = System.nanoTime();
        FaultPlatform platform = FaultPlatform.shared();
        platform.ensureStandard();
        ServiceProcess c1 = platform.service("c1");
        ServiceProcess c2 = platform.service("c2");
        try (KafkaConsumer<byte[], byte[]> commands = committedCommands(platform)) {
            c1.start();
            c2.start();
            c1.awaitReady();
            c2.awaitReady();
            UUID project = platform.staticProject();
            List<UUID> sessions = new ArrayList<>(wave(platform, project, TTL));
            sessions.addAll(wave(platform, project, TTL.plus(SECOND_WAVE_LATER)));
            await().atMost(Duration.ofSeconds(90)).until(() -> sessions.stream()
                    .allMatch(id -> platform.rows().containsKey(id) && platform.rows().get(id).status() == SessionStatus.ACTIVE));

            Map<UUID, List<SessionCommand.Terminate>> terminates = new HashMap<>();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                    .until(() -> read(commands, sessions, terminates) > 0);
            ServiceProcess first = c1.logText().contains("cleanup command issued") ? c1 : c2;
            first.kill9();
            int beforeKill = terminates.values().stream().mapToInt(List::size).sum();

            await().atMost(Duration.ofSeconds(90)).until(() -> {
                read(commands, sessions, terminates);
                return sessions.stream().allMatch(id -> terminates.containsKey(id));
            });
            first.start().awaitReady();
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> {
                read(commands, sessions, terminates);
                return sessions.stream().allMatch(id -> terminates.get(id).size() == 1);
            });
            assertThat(terminates.values().stream().flatMap(List::stream).map(SessionCommand.Terminate::reason)
                    .collect(Collectors.toSet())).containsExactly(TerminationReason.EXPIRED);
            await().atMost(Duration.ofSeconds(60)).until(() -> sessions.stream()
                    .allMatch(id -> platform.rows().get(id).status() == SessionStatus.TERMINATED));

            Audit.Report report = Audit.run(platform);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("sessions", sessions.size());
            figures.put("expired before the kill", beforeKill);
            figures.put("terminates per session", 1);
            figures.putAll(report.figures());
            figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
            platform.figures("8 cleanup kill -9 during expiry", figures);
        } finally {
            c1.stop();
            c2.stop();
        }
    }

    private static List<UUID> wave(FaultPlatform platform, UUID project, Duration ttl) {
        List<UUID> wave = new ArrayList<>();
        for (int i = 0; i < PER_WAVE; i++) {
            SessionApi.Answer answer = platform.request("cleanup-kill", project, ttl);
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            wave.add(answer.sessionId());
        }
        return wave;
    }

    /** The commands topic as the provisioner reads it (committed transactions only), from its current end. */
    private static KafkaConsumer<byte[], byte[]> committedCommands(FaultPlatform platform) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = FaultPlatform.partitions(consumer, Topics.SESSION_COMMANDS.name());
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    /** Adds the TERMINATEs of {@code sessions} that arrived; returns how many arrived in this look. */
    private static int read(KafkaConsumer<byte[], byte[]> consumer, List<UUID> sessions,
                            Map<UUID, List<SessionCommand.Terminate>> terminates) {
        Set<UUID> wanted = Set.copyOf(sessions);
        int arrived = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            if (record.value() == null) {
                continue;
            }
            SessionCommand command = Topics.SESSION_COMMANDS.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (command instanceof SessionCommand.Terminate terminate && wanted.contains(terminate.sessionId())) {
                terminates.computeIfAbsent(terminate.sessionId(), id -> new ArrayList<>()).add(terminate);
                arrived++;
            }
        }
        return arrived;
    }
}
