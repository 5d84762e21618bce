package dev.velocitypreview.router;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention on a real broker: once cleanup's command tombstone and the changelog's tombstone of a purged session
 * arrived (in either order), the router's directory holds nothing of it and the preview is unknown.
 */
class RouterRetentionIT {

    private static final Duration GRACE = Duration.ofMillis(500);
    private static final Duration BLOCK = Duration.ofSeconds(20);

    private static SessionLog log;
    private static RunningRouter router;

    @BeforeAll
    static void start() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        log = new SessionLog(bootstrap);
        router = RunningRouter.start(bootstrap, Map.of(
                "velocity.router.unknown-grace", GRACE.toMillis() + "ms",
                "management.endpoints.web.exposure.include", "health,sessions",
                "velocity.router.kafka.application-id", "router-retention-it")).awaitReady();
    }

    @AfterAll
    static void stop() {
        if (router != null) {
            router.close();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    void aRetainedOutSessionIsForgottenAndUnknown() {
        String user = "retention-" + UUID.randomUUID();
        SessionDirectory directory = router.directory();
        SessionDirectory.Stats before = directory.stats();
        List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        for (UUID id : ids) {
            log.create(id, user);
            log.row(SessionLog.view(id, user, SessionStatus.ACTIVE, 3, null, null, "http://127.0.0.1:1", Visibility.PUBLIC));
            log.row(SessionLog.view(id, user, SessionStatus.TERMINATED, 4, "expired", null, null, Visibility.PUBLIC));
        }
        await().atMost(BLOCK).until(() -> directory.findOf(user, view -> view.status() == SessionStatus.TERMINATED).size() == 3);
        SessionDirectory.Stats retained = directory.stats();
        assertThat(retained.sessions()).isEqualTo(before.sessions() + 3);
        assertThat(retained.users()).isEqualTo(before.users() + 1);
        assertThat(retained.liveViews()).isEqualTo(before.liveViews());

        // the two tombstones of a purge travel on two topics: either may arrive first
        log.rowTombstone(ids.get(0));
        log.commandTombstone(ids.get(0));
        log.commandTombstone(ids.get(1));
        log.rowTombstone(ids.get(1));
        log.rowTombstone(ids.get(2));
        await().atMost(BLOCK).until(() -> directory.lookup(ids.get(2)).isEmpty());
        // the row's tombstone alone already makes it unknown, though its CREATE is still held
        assertThat(directory.findOf(user, view -> true)).extracting(view -> view.id()).doesNotContain(ids.get(2));
        log.commandTombstone(ids.get(2));

        await().atMost(BLOCK).until(() -> directory.stats().equals(before));
        for (UUID id : ids) {
            assertThat(directory.lookup(id)).isEmpty();
        }
        assertThat(directory.findOf(user, view -> true)).isEmpty();
        assertThat(directory.find(view -> ids.contains(view.id()))).isEmpty();
        RouterResponse preview = RouterResponse.exchange(router.client.get().uri("/s/" + ids.get(0) + "/")).block(BLOCK);
        assertThat(preview.status()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void theSessionsEndpointShowsHowMuchTheDirectoryHolds() {
        UUID id = UUID.randomUUID();
        log.create(id, "stats-" + id);
        await().until(() -> router.directory().lookup(id).isPresent());

        RouterResponse response = RouterResponse.exchange(router.client.get()
                .uri(URI.create(router.baseUrl() + "/actuator/sessions"))).block(BLOCK);

        assertThat(response.status()).isEqualTo(HttpStatus.OK);
        JsonNode stats = response.json();
        SessionDirectory.Stats held = router.directory().stats();
        assertThat(stats.get("sessions").asInt()).isEqualTo(held.sessions()).isPositive();
        assertThat(stats.get("liveViews").asInt()).isEqualTo(held.liveViews());
        assertThat(stats.get("users").asInt()).isEqualTo(held.users());
        assertThat(stats.get("storedCreates").asLong()).isEqualTo(held.storedCreates());
    }
}
