package dev.velocitypreview.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.session.SessionStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 2: two provisioners, both with the CDC relay enabled; the one streaming is SIGKILLed
 * while sessions are being provisioned. The standby takes the replication slot over and streams on
 * from the offsets stored in Kafka: every row version still reaches the changelog.
 */
class RelayFailoverIT {

    private static final int SESSIONS = 6;
    private static FaultPlatform platform;

    @BeforeAll
    static void platform() {
        platform = FaultPlatform.shared();
        platform.ensureStandard();
        platform.startProvisioner("p2");
    }

    @AfterAll
    static void backToStandard() {
        platform.ensureStandard();
    }

    @Test
    void standbyRelayTakesOverTheSlotAndNoRowVersionIsLost() {
        long started = System.nanoTime();
        ServiceProcess streaming = streamingRelay();
        ServiceProcess standby = streaming.name().equals("p1") ? platform.service("p2") : platform.service("p1");
        long relayedBefore = Audit.tally(platform).records();

        List<UUID> sessions = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            SessionApi.Answer answer = platform.request("relay-failover");
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            sessions.add(answer.sessionId());
        }
        // kill while rows are changing: at least one session has a row, and not all are ACTIVE yet
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
            Map<UUID, FaultPlatform.Row> rows = platform.rows();
            return sessions.stream().anyMatch(rows::containsKey);
        });
        long killedAt = System.nanoTime();
        streaming.kill9();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> standby.logText().contains("relay streaming"));
        long takeover = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
        // the killed provisioner comes back, as a standby relay and with its command partitions
        platform.startProvisioner(streaming.name());
        assertThat(platform.service(streaming.name()).logText()).contains("standing by");

        await().atMost(Duration.ofSeconds(90)).until(() -> {
            Map<UUID, FaultPlatform.Row> rows = platform.rows();
            return sessions.stream().allMatch(id -> rows.containsKey(id) && rows.get(id).status() == SessionStatus.ACTIVE);
        });
        Audit.Report report = Audit.run(platform);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("sessions", SESSIONS);
        figures.put("killed", streaming.name());
        figures.put("takeover ms", takeover);
        figures.put("changelog records before", relayedBefore);
        figures.putAll(report.figures());
        figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        platform.figures("2 relay instance kill -9, standby takes over", figures);
        platform.terminateActiveSessions();
    }

    /** The provisioner whose relay streams: the one that holds the advisory lock and logged so. */
    private static ServiceProcess streamingRelay() {
        ServiceProcess[] found = new ServiceProcess[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (String name : List.of("p1", "p2")) {
                ServiceProcess provisioner = platform.service(name);
                String log = provisioner.logText();
                if (provisioner.isAlive() && log.lastIndexOf("relay streaming") > log.lastIndexOf("standing by")) {
                    found[0] = provisioner;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
