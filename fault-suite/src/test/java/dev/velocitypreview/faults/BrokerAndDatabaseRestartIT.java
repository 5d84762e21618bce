package dev.velocitypreview.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.topic.Topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 4: the Kafka broker and PostgreSQL are each stopped and started again under the running
 * platform. Accepted commands survive the broker's restart, and while the broker is away the API
 * answers 503, never a 202 for a command it could not store. PostgreSQL's outage, kept up until it
 * has outlasted the provisioner's retries, is ridden out by the provisioner and its relay: nothing
 * is dead-lettered or FAILED, and sessions requested while it is down end ACTIVE.
 */
class BrokerAndDatabaseRestartIT {

    private static final int SESSIONS = 3;
    /** What the provisioner logs when it puts a command back to wait for the database. */
    // The one event this scenario waits on that shows nowhere outside the provisioner: the database is down (no row
    // changes), the command stays uncommitted either way, and the provisioner's metrics do not tell a wait from idleness.
    private static final String OUTAGE_WAIT = "database unavailable, command kept for a retry";
    private static FaultPlatform platform;

    @BeforeEach
    void platform() {
        platform = FaultPlatform.shared();
        platform.ensureStandard();
    }

    @Test
    void brokerRestartLosesNoAcceptedCommandAndTheApiSays503WhileItIsDown() {
        long started = System.nanoTime();
        List<UUID> accepted = request(SESSIONS);

        long stoppedAt = System.nanoTime();
        platform.kafka.stop();
        List<Integer> whileDown = new ArrayList<>();
        List<Long> answerMillis = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long asked = System.nanoTime();
            SessionApi.Answer answer = platform.request("broker-restart-down");
            answerMillis.add(Duration.ofNanos(System.nanoTime() - asked).toMillis());
            whileDown.add(answer.status());
            assertThat(answer.status()).as("answer while the broker is down: " + answer.body()).isEqualTo(503);
            assertThat(answer.contentType()).contains("application/problem+json");
        }
        platform.kafka.start();
        long downMillis = Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis();

        awaitActive(accepted, Duration.ofSeconds(120));
        long recoveredMillis = Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis();
        await().atMost(Duration.ofSeconds(60)).until(() -> platform.request("broker-restart-after").status() == 202);

        Audit.Report report = Audit.run(platform);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("accepted before the stop", SESSIONS);
        figures.put("answers while down", whileDown);
        figures.put("answer ms while down", answerMillis);
        figures.put("broker down ms", downMillis);
        figures.put("stop to all ACTIVE ms", recoveredMillis);
        figures.putAll(report.figures());
        figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        platform.figures("4a kafka broker restart", figures);
        platform.terminateActiveSessions();
    }

    @Test
    void databaseRestartIsRiddenOutAndSessionsRequestedMeanwhileEndActive() {
        long started = System.nanoTime();
        List<UUID> before = request(SESSIONS);
        // stop while the first of them is being written
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> before.stream().anyMatch(platform.rows()::containsKey));
        ServiceProcess provisioner = platform.service("p1");
        int waitsBefore = provisioner.logLines(OUTAGE_WAIT);
        long deadLetteredBefore = platform.endOffsets(Topics.SESSION_COMMANDS_DLT.name());
        long stoppedAt = System.nanoTime();
        platform.postgres.stop();
        List<UUID> meanwhile = request(SESSIONS);
        // down until the outage has outlasted the provisioner's retries (3 attempts of 1 s each) for the
        // commands taken meanwhile, and each has been put back to wait for the database
        await().atMost(Duration.ofSeconds(60)).until(
                () -> provisioner.logLines(OUTAGE_WAIT) - waitsBefore >= SESSIONS);
        int waits = provisioner.logLines(OUTAGE_WAIT) - waitsBefore;
        platform.postgres.start();
        long downMillis = Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis();

        List<UUID> all = new ArrayList<>(before);
        all.addAll(meanwhile);
        awaitActive(all, Duration.ofSeconds(120));
        long recoveredMillis = Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis();
        assertThat(platform.endOffsets(Topics.SESSION_COMMANDS_DLT.name())).as("commands dead-lettered because of the outage")
                .isEqualTo(deadLetteredBefore);

        Audit.Report report = Audit.run(platform);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("requested before", SESSIONS);
        figures.put("requested while down", SESSIONS);
        figures.put("commands put back to wait for the database", waits);
        figures.put("database down ms", downMillis);
        figures.put("stop to all ACTIVE ms", recoveredMillis);
        figures.putAll(report.figures());
        figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        platform.figures("4b postgresql restart", figures);
        platform.terminateActiveSessions();
    }

    private static List<UUID> request(int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SessionApi.Answer answer = platform.request("infrastructure-restart");
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            ids.add(answer.sessionId());
        }
        return ids;
    }

    private static void awaitActive(List<UUID> sessions, Duration max) {
        await().atMost(max).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Map<UUID, FaultPlatform.Row> rows;
            try {
                rows = platform.rows();
            } catch (IllegalStateException e) {
                throw new AssertionError("database not answering yet: " + e.getMessage(), e);
            }
            assertThat(sessions).allMatch(id -> rows.containsKey(id) && rows.get(id).status() == SessionStatus.ACTIVE,
                    "ACTIVE");
        });
    }
}
