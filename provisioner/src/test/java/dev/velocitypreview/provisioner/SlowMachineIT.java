package dev.velocitypreview.provisioner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.provisioner.provisioning.RecordingMachineDriver;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One slow machine among the sessions of one partition, on the provisioner as it runs (real Kafka, real
 * PostgreSQL, the production consumer), with a recorded driver that holds one session's machine in its start.
 */
class SlowMachineIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int OTHERS = 15;

    private static final RecordingMachineDriver driver = new RecordingMachineDriver();
    private static CommandTopic commands;
    private static NamedParameterJdbcTemplate jdbc;
    private static ConfigurableApplicationContext provisioner;
    private static String group;

    @BeforeAll
    static void startProvisioner() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        TestDatabase db = TestPostgres.shared().createDatabase();
        jdbc = new NamedParameterJdbcTemplate(db.dataSource());
        commands = new CommandTopic(bootstrap);
        group = "slow-machine-it-" + UUID.randomUUID();
        commands.startGroupAtEnd(group);
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.config.name", "provisioner");
        properties.put("spring.datasource.url", db.jdbcUrl());
        properties.put("spring.datasource.username", db.username());
        properties.put("spring.datasource.password", db.password());
        properties.put("velocity.provisioner.kafka.bootstrap-servers", bootstrap);
        properties.put("velocity.provisioner.kafka.group-id", group);
        // this test is about commands; nobody reads the changelog here
        properties.put("velocity.provisioner.cdc.enabled", "false");
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("slow-machine-it", properties));
        SpringApplication application = new SpringApplication(ProvisionerApplication.class);
        application.setEnvironment(environment);
        application.setWebApplicationType(WebApplicationType.NONE);
        // registered before the refresh, so the provisioner's own local driver steps aside
        application.addInitializers(context -> context.getBeanFactory().registerSingleton("recordingDriver", driver));
        provisioner = application.run();
    }

    @AfterAll
    static void stopProvisioner() {
        if (provisioner != null) {
            provisioner.close();
        }
        if (commands != null) {
            commands.close();
        }
    }

    @Test
    void aMachineSlowToStartHoldsUpNoOtherSessionOfItsPartitionAndNoCommitPassesIt() throws Exception {
        SessionCommand slow = create(UUID.randomUUID());
        int partition = commands.partitionOf(slow.sessionId());
        TopicPartition topicPartition = new TopicPartition(Topics.SESSION_COMMANDS.name(), partition);
        List<SessionCommand> others = new ArrayList<>();
        while (others.size() < OTHERS) {
            UUID candidate = UUID.randomUUID();
            if (commands.partitionOf(candidate) == partition) {
                others.add(create(candidate));
            }
        }
        RecordingMachineDriver.Hold hold = driver.holdReady(slow.sessionId());

        RecordMetadata slowRecord = commands.publish(slow);
        assertThat(hold.awaitReached(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("the provisioner took the slow session's CREATE and waits for its machine").isTrue();
        // published only now, so they reach the provisioner in polls after the one that brought the slow CREATE
        for (SessionCommand other : others) {
            assertThat(commands.publish(other).partition()).isEqualTo(partition);
        }

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> others.stream().allMatch(other -> "ACTIVE".equals(status(other.sessionId()))));
        assertThat(hold.isReleased()).isFalse();
        assertThat(status(slow.sessionId())).as("the slow session is still starting").isEqualTo("STARTING");
        assertThat(commands.committedOffsets(group).get(topicPartition))
                .as("no commit passes the slow session's unfinished CREATE")
                .isEqualTo(slowRecord.offset());

        hold.release();

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> "ACTIVE".equals(status(slow.sessionId())));
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(commands.committedOffsets(group).get(topicPartition))
                        .as("everything finished is committed: the slow CREATE and the fifteen after it")
                        .isEqualTo(slowRecord.offset() + 1 + OTHERS));
        List<UUID> sessions = new ArrayList<>(others.stream().map(SessionCommand::sessionId).toList());
        sessions.add(slow.sessionId());
        assertThat(driver.list()).extracting(Machine::sessionId).as("one machine per session")
                .containsExactlyInAnyOrderElementsOf(sessions);
    }

    private static SessionCommand.Create create(UUID sessionId) {
        return SessionCommand.create(sessionId, "user-1", UUID.randomUUID(), "react", Tier.FREE, Visibility.PUBLIC,
                Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10), Instant.now());
    }

    private static String status(UUID sessionId) {
        return jdbc.queryForList("SELECT status FROM preview_sessions WHERE id = :id", Map.of("id", sessionId),
                String.class).stream().findFirst().orElse(null);
    }
}
