package dev.velocitypreview.sessions;

import static dev.velocitypreview.sessions.RunningSessionService.json;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.velocitypreview.sessions.TestTokens.bearer;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.templates.TemplateCatalog;
import dev.velocitypreview.testkit.TestKafka;
import tools.jackson.databind.JsonNode;

/**
 * The API against a real broker. This test plays the provisioner and the CDC relay by writing
 * rows to {@code preview.sessions} itself.
 */
class SessionServiceIT {

    private static final String AUTHORIZATION = "Authorization";

    private static String bootstrap;
    private static RunningSessionService service;
    private static CommandTopic commands;
    private static KafkaProducer<String, SessionView> changelog;

    /** Every test has its own user, so listings see only what the test created. */
    private final String user = "user-" + UUID.randomUUID();

    @BeforeAll
    static void start() {
        bootstrap = TestKafka.shared().bootstrapServers();
        // the default grace (2 s): a read right after a 202 must never see 404, even on a busy machine
        service = RunningSessionService.start(bootstrap, Map.of(
                "velocity.session-service.preview-base-url", "http://localhost:8081",
                "velocity.session-service.public-base-url", "http://api.test",
                "velocity.session-service.auth.hs256-secret", TestTokens.SECRET,
                "velocity.session-service.preview-token-secret", TestTokens.PREVIEW_SECRET)).awaitReady();
        commands = new CommandTopic(bootstrap);
        changelog = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                Topics.SESSIONS.keySerde().serializer(), Topics.SESSIONS.valueSerde().serializer());
    }

    @AfterAll
    static void stop() {
        if (changelog != null) {
            changelog.close();
        }
        if (commands != null) {
            commands.close();
        }
        if (service != null) {
            service.close();
        }
    }

    /** Creates as a team user, whose quota (50) the tests below the quota tests never reach. */
    private HttpResponse<String> create(String as, UUID project, String... headers) {
        return create(TestTokens.user(as, Tier.TEAM), "{\"projectId\":\"" + project + "\"}", headers);
    }

    private HttpResponse<String> create(String token, String body, String... headers) {
        var request = service.request("/v1/sessions").header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body));
        request.header(AUTHORIZATION, bearer(token));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return service.send(request);
    }

    private UUID created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return UUID.fromString(json(response).get("sessionId").stringValue());
    }

    private HttpResponse<String> get(String as, Object id) {
        return service.send(service.request("/v1/sessions/" + id).header(AUTHORIZATION, bearer(TestTokens.user(as))).GET());
    }

    private HttpResponse<String> delete(String as, Object id) {
        return service.send(service.request("/v1/sessions/" + id).header(AUTHORIZATION, bearer(TestTokens.user(as))).DELETE());
    }

    private static SessionView row(UUID id, String owner, SessionStatus status, long version) {
        Instant now = Instant.parse("2026-01-01T10:00:00Z");
        return new SessionView(id, owner, UUID.randomUUID(), status, status.isTerminal() ? TerminationReason.USER : null,
                null, status == SessionStatus.ACTIVE ? "machine-" + version : null,
                status == SessionStatus.ACTIVE ? "http://127.0.0.1:40000" : null, "local", Tier.FREE, null, version,
                now, now, now.plusSeconds(version), null, now.plusSeconds(3600), null, null);
    }

    /** Writes rows the way the CDC relay does: keyed by session id; optionally onto one partition. */
    private static void publishRows(Integer partition, SessionView... rows) throws Exception {
        for (SessionView row : rows) {
            changelog.send(new ProducerRecord<>(Topics.SESSIONS.name(), partition, row.id().toString(), row)).get();
        }
    }

    private void awaitStatus(UUID id, String status, long version) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode session = json(get(user, id));
            assertThat(session.get("status").stringValue()).isEqualTo(status);
            assertThat(session.get("version").longValue()).isEqualTo(version);
        });
    }

    @Test
    void acceptedSessionIsOnTheCommandTopicWhenThe202Arrives() {
        Map<TopicPartition, Long> before = commands.endOffsets();
        UUID project = UUID.randomUUID();

        HttpResponse<String> response = create(user, project);

        UUID id = created(response);
        JsonNode body = json(response);
        assertThat(body.get("status").stringValue()).isEqualTo("REQUESTED");
        assertThat(body.get("previewUrl").stringValue()).isEqualTo("http://" + id + ".preview.localhost:8081/");
        assertThat(body.get("statusUrl").stringValue()).isEqualTo("http://api.test/v1/sessions/" + id);
        assertThat(response.headers().firstValue("Location")).hasValue("http://api.test/v1/sessions/" + id);
        assertThat(commands.commandsFor(id, before)).singleElement().isInstanceOfSatisfying(SessionCommand.Create.class, create -> {
            assertThat(create.sessionId()).isEqualTo(id);
            assertThat(create.userId()).isEqualTo(user);
            assertThat(create.projectId()).isEqualTo(project);
            assertThat(create.template()).as("the default, when none is asked for").isEqualTo(TemplateCatalog.DEFAULT);
            assertThat(create.tier()).isEqualTo(Tier.TEAM);
            assertThat(create.visibility()).isEqualTo(Visibility.PUBLIC);
            assertThat(create.ttl()).as("the team tier's cap, when none is asked for").isEqualTo(Duration.ofHours(8));
            assertThat(create.machine()).as("the team tier's machine").isEqualTo(new MachineSize("shared", 2, 2048));
            assertThat(create.idleTimeout()).as("the team tier's idle timeout").isEqualTo(Duration.ofMinutes(60));
        });
    }

    @Test
    void sessionReadRightAfterItWasAcceptedIsRequested() {
        UUID project = UUID.randomUUID();
        UUID id = created(create(user, project));

        HttpResponse<String> response = get(user, id);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode session = json(response);
        assertThat(session.get("id").stringValue()).isEqualTo(id.toString());
        assertThat(session.get("projectId").stringValue()).isEqualTo(project.toString());
        assertThat(session.get("status").stringValue()).isEqualTo("REQUESTED");
        assertThat(session.get("tier").stringValue()).isEqualTo("team");
        assertThat(session.get("userId").stringValue()).isEqualTo(user);
        assertThat(session.get("visibility").stringValue()).isEqualTo("public");
        assertThat(session.get("previewToken").isNull()).isTrue();
        assertThat(session.get("version").longValue()).isZero();
        assertThat(session.get("requestedAt").isString()).isTrue();
        assertThat(session.get("machineId").isNull()).isTrue();
        assertThat(session.get("previewUrl").stringValue()).isEqualTo("http://" + id + ".preview.localhost:8081/");
    }

    @Test
    void changelogRowsReplaceTheRequestAndAStaleRowChangesNothing() throws Exception {
        UUID id = created(create(user, UUID.randomUUID()));
        publishRows(null, row(id, user, SessionStatus.PROVISIONING, 1));
        awaitStatus(id, "PROVISIONING", 1);
        publishRows(null, row(id, user, SessionStatus.ACTIVE, 3));
        awaitStatus(id, "ACTIVE", 3);

        // a replayed older row, then a marker on the same partition: once the marker is visible,
        // the stale row has been read as well
        UUID marker = UUID.randomUUID();
        publishRows(0, row(id, user, SessionStatus.STARTING, 2), row(marker, user, SessionStatus.PROVISIONING, 1));
        awaitStatus(marker, "PROVISIONING", 1);

        JsonNode session = json(get(user, id));
        assertThat(session.get("status").stringValue()).isEqualTo("ACTIVE");
        assertThat(session.get("version").longValue()).isEqualTo(3);
        assertThat(session.get("machineId").stringValue()).isEqualTo("machine-3");
        assertThat(session.get("machineUrl").stringValue()).isEqualTo("http://127.0.0.1:40000");
        assertThat(session.get("readyAt").isNull()).isTrue();
        assertThat(session.get("expiresAt").stringValue()).isEqualTo("2026-01-01T11:00:00Z");
    }

    @Test
    void aReadAskingForAVersionWaitsUntilTheViewHasItAndNeverAnswersAnOlderOne() throws Exception {
        UUID id = created(create(user, UUID.randomUUID()));
        publishRows(null, row(id, user, SessionStatus.STARTING, 2));
        awaitStatus(id, "STARTING", 2);

        // the caller saw version 3 elsewhere (another reader of the changelog was faster): its read waits for it
        CompletableFuture<HttpResponse<String>> read = CompletableFuture.supplyAsync(() ->
                service.send(service.request("/v1/sessions/" + id + "?minVersion=3")
                        .header(AUTHORIZATION, bearer(TestTokens.user(user))).GET()));
        await().atMost(Duration.ofSeconds(10)).until(() -> service.directoryWaiting() > 0);
        publishRows(null, row(id, user, SessionStatus.ACTIVE, 3));

        HttpResponse<String> response = read.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).get("status").stringValue()).isEqualTo("ACTIVE");
        assertThat(json(response).get("version").longValue()).isEqualTo(3);

        // a version the view never reaches within the grace: 503, not the older session
        HttpResponse<String> behind = service.send(service.request("/v1/sessions/" + id + "?minVersion=99")
                .header(AUTHORIZATION, bearer(TestTokens.user(user))).GET());
        assertProblem(behind, 503, "holds version 3 of session " + id + ", not yet version 99");
        assertThat(behind.headers().firstValue("Retry-After")).isPresent();
        // someone else's session stays unknown, whatever version is asked for
        assertProblem(service.send(service.request("/v1/sessions/" + id + "?minVersion=99")
                .header(AUTHORIZATION, bearer(TestTokens.user("someone-else"))).GET()), 404, "not found");
    }

    @Test
    void sameIdempotencyKeyAnswersWithTheSameSessionAndRepublishesItsCreate() {
        Map<TopicPartition, Long> before = commands.endOffsets();
        UUID project = UUID.randomUUID();

        HttpResponse<String> first = create(user, project, PreviewHeaders.IDEMPOTENCY_KEY, "order-1");
        HttpResponse<String> retry = create(user, project, PreviewHeaders.IDEMPOTENCY_KEY, "order-1");

        UUID id = created(first);
        assertThat(created(retry)).isEqualTo(id);
        assertThat(json(retry)).isEqualTo(json(first));
        assertThat(commands.commandsFor(id, before)).hasSize(2)
                .allSatisfy(command -> assertThat(command).isInstanceOfSatisfying(SessionCommand.Create.class,
                        create -> assertThat(create.projectId()).isEqualTo(project)));
    }

    @Test
    void sameIdempotencyKeyForAnotherProjectIsAConflictAndPublishesNothing() {
        UUID id = created(create(user, UUID.randomUUID(), PreviewHeaders.IDEMPOTENCY_KEY, "order-2"));
        awaitStatus(id, "REQUESTED", 0);
        Map<TopicPartition, Long> before = commands.endOffsets();

        HttpResponse<String> conflict = create(user, UUID.randomUUID(), PreviewHeaders.IDEMPOTENCY_KEY, "order-2");

        assertProblem(conflict, 409, "Idempotency-Key was used with a different request");
        assertThat(commands.since(before)).isEmpty();
    }

    @Test
    void sameIdempotencyKeyOfAnotherUserIsAnotherSession() {
        UUID mine = created(create(user, UUID.randomUUID(), PreviewHeaders.IDEMPOTENCY_KEY, "order-3"));

        UUID theirs = created(create("other-" + user, UUID.randomUUID(), PreviewHeaders.IDEMPOTENCY_KEY, "order-3"));

        assertThat(theirs).isNotEqualTo(mine);
    }

    @Test
    void deletePublishesATerminateByTheUser() {
        UUID id = created(create(user, UUID.randomUUID()));
        Map<TopicPartition, Long> before = commands.endOffsets();

        HttpResponse<String> response = delete(user, id);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(json(response).get("id").stringValue()).isEqualTo(id.toString());
        assertThat(commands.commandsFor(id, before)).singleElement().isInstanceOfSatisfying(SessionCommand.Terminate.class, terminate -> {
            assertThat(terminate.userId()).isEqualTo(user);
            assertThat(terminate.reason()).isEqualTo(TerminationReason.USER);
        });
    }

    @Test
    void deleteOfASessionThatAlreadyEndedAnswersWithItAndPublishesNothing() throws Exception {
        UUID id = created(create(user, UUID.randomUUID()));
        publishRows(null, row(id, user, SessionStatus.TERMINATED, 4));
        awaitStatus(id, "TERMINATED", 4);
        Map<TopicPartition, Long> before = commands.endOffsets();

        HttpResponse<String> response = delete(user, id);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(json(response).get("status").stringValue()).isEqualTo("TERMINATED");
        assertThat(json(response).get("statusReason").stringValue()).isEqualTo("user");
        assertThat(commands.since(before)).isEmpty();
    }

    @Test
    void anotherUsersSessionIsNotFoundNorDeletableNorListed() {
        UUID id = created(create(user, UUID.randomUUID()));
        awaitStatus(id, "REQUESTED", 0);
        String stranger = "stranger-" + UUID.randomUUID();
        Map<TopicPartition, Long> before = commands.endOffsets();

        assertProblem(get(stranger, id), 404, "session " + id + " not found");
        assertProblem(delete(stranger, id), 404, "session " + id + " not found");
        HttpResponse<String> listing = service.send(service.request("/v1/sessions")
                .header(AUTHORIZATION, bearer(TestTokens.user(stranger))).GET());
        assertThat(json(listing).get("sessions").size()).isZero();
        assertThat(commands.since(before)).isEmpty();
    }

    @Test
    void listingShowsTheCallersSessionsNewestFirstFilteredAndLimited() throws Exception {
        UUID first = created(create(user, UUID.randomUUID()));
        UUID second = created(create(user, UUID.randomUUID()));
        UUID third = created(create(user, UUID.randomUUID()));
        SessionView active = row(second, user, SessionStatus.ACTIVE, 2);
        publishRows(null, active);
        awaitStatus(third, "REQUESTED", 0);
        awaitStatus(second, "ACTIVE", 2);
        awaitStatus(first, "REQUESTED", 0);

        Function<String, List<String>> list = query -> {
            HttpResponse<String> response = service.send(service.request("/v1/sessions" + query)
                    .header(AUTHORIZATION, bearer(TestTokens.user(user))).GET());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return json(response).get("sessions").valueStream().map(s -> s.get("id").stringValue()).toList();
        };

        // the row of the second session says it was requested at 10:00 on 2026-01-01: the oldest
        assertThat(list.apply("")).containsExactly(third.toString(), first.toString(), second.toString());
        assertThat(list.apply("?status=active")).containsExactly(second.toString());
        assertThat(list.apply("?status=REQUESTED&limit=1")).containsExactly(third.toString());
    }

    private HttpResponse<String> send(String method, String path, String token) {
        var request = service.request(path).method(method, BodyPublishers.noBody());
        if (token != null) {
            request.header(AUTHORIZATION, bearer(token));
        }
        return service.send(request);
    }

    private static String project() {
        return "{\"projectId\":\"" + UUID.randomUUID() + "\"}";
    }

    @Test
    void createOverTheTiersConcurrentLimitIsRefusedWithLimitAndUsageAndPublishesNothing() {
        String free = TestTokens.user(user, Tier.FREE);
        created(create(free, project()));
        created(create(free, project()));
        Map<TopicPartition, Long> before = commands.endOffsets();

        HttpResponse<String> refused = create(free, project());

        assertProblem(refused, 429, "the free tier allows 2 concurrent sessions and 2 have not ended yet");
        JsonNode problem = json(refused);
        assertThat(problem.get("code").stringValue()).isEqualTo("quota_exceeded");
        assertThat(problem.get("quota").stringValue()).isEqualTo("concurrent-sessions");
        assertThat(problem.get("limit").intValue()).isEqualTo(2);
        assertThat(problem.get("usage").intValue()).isEqualTo(2);
        assertThat(commands.since(before)).isEmpty();
    }

    @Test
    void aSessionThatEndedFreesItsSlot() throws Exception {
        String free = TestTokens.user(user, Tier.FREE);
        UUID first = created(create(free, project()));
        UUID second = created(create(free, project()));
        assertThat(create(free, project()).statusCode()).isEqualTo(429);

        publishRows(null, row(first, user, SessionStatus.TERMINATED, 5), row(second, user, SessionStatus.FAILED, 3));
        awaitStatus(first, "TERMINATED", 5);
        awaitStatus(second, "FAILED", 3);

        created(create(free, project()));
        created(create(free, project()));
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyTakesNoNewSlot() {
        String free = TestTokens.user(user, Tier.FREE);
        String body = project();
        UUID id = created(create(free, body, PreviewHeaders.IDEMPOTENCY_KEY, "quota-1"));
        created(create(free, project()));

        assertThat(created(create(free, body, PreviewHeaders.IDEMPOTENCY_KEY, "quota-1"))).isEqualTo(id);
    }

    @Test
    void concurrentCreatesOfOneUserNeverExceedTheLimit() throws Exception {
        String free = TestTokens.user(user, Tier.FREE);
        Map<TopicPartition, Long> before = commands.endOffsets();
        int attempts = 6;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try {
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                responses.add(pool.submit(() -> {
                    start.await();
                    return create(free, project());
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<HttpResponse<String>> response : responses) {
                statuses.add(response.get(60, TimeUnit.SECONDS).statusCode());
            }

            assertThat(statuses).containsOnly(202, 429).filteredOn(status -> status == 202).hasSize(2);
            assertThat(commands.since(before)).filteredOn(record -> record.value().userId().equals(user)).hasSize(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void askedTtlReachesTheProvisionerInTheCreate() {
        Map<TopicPartition, Long> before = commands.endOffsets();

        UUID id = created(create(TestTokens.user(user, Tier.PRO),
                "{\"projectId\":\"" + UUID.randomUUID() + "\",\"ttl\":\"PT90M\"}"));

        assertThat(commands.commandsFor(id, before)).singleElement()
                .isInstanceOfSatisfying(SessionCommand.Create.class,
                        create -> assertThat(create.ttl()).isEqualTo(Duration.ofMinutes(90)));
    }

    @Test
    void higherTiersAllowMoreSessions() {
        String pro = TestTokens.user(user, Tier.PRO);

        for (int i = 0; i < 3; i++) {
            created(create(pro, project()));
        }
    }

    @Test
    void privateSessionComesWithAPreviewTokenThatOpensOnlyItsOwnPreview() {
        Map<TopicPartition, Long> before = commands.endOffsets();
        HttpResponse<String> response = create(TestTokens.user(user),
                "{\"projectId\":\"" + UUID.randomUUID() + "\",\"visibility\":\"private\"}");

        UUID id = created(response);
        JsonNode accepted = json(response);
        String token = accepted.get("previewToken").stringValue();
        PreviewToken tokens = new PreviewToken(TestTokens.PREVIEW_SECRET);
        Instant now = Instant.now();
        assertThat(accepted.get("visibility").stringValue()).isEqualTo("private");
        assertThat(accepted.get("previewUrl").stringValue())
                .isEqualTo("http://" + id + ".preview.localhost:8081/?preview_token=" + token);
        assertThat(tokens.check(token, id, now)).isEqualTo(PreviewToken.Check.VALID);
        assertThat(tokens.check(token, UUID.randomUUID(), now)).isEqualTo(PreviewToken.Check.WRONG_SESSION);
        assertThat(tokens.check(token, id, now.plus(Duration.ofMinutes(16)))).isEqualTo(PreviewToken.Check.EXPIRED);
        assertThat(commands.commandsFor(id, before)).singleElement()
                .isInstanceOfSatisfying(SessionCommand.Create.class,
                        create -> assertThat(create.visibility()).isEqualTo(Visibility.PRIVATE));

        JsonNode read = json(get(user, id));
        assertThat(read.get("visibility").stringValue()).isEqualTo("private");
        assertThat(tokens.check(read.get("previewToken").stringValue(), id, Instant.now()))
                .isEqualTo(PreviewToken.Check.VALID);
        assertThat(read.get("previewUrl").stringValue()).contains("?preview_token=");
    }

    @Test
    void publicSessionComesWithoutAPreviewToken() {
        HttpResponse<String> response = create(user, UUID.randomUUID());

        UUID id = created(response);
        assertThat(json(response).get("visibility").stringValue()).isEqualTo("public");
        assertThat(json(response).get("previewToken").isNull()).isTrue();
        assertThat(json(response).get("previewUrl").stringValue()).isEqualTo("http://" + id + ".preview.localhost:8081/");
    }

    @Test
    void adminListsAnyonesSessionsAndTerminatesThemWithReasonAdmin() {
        String other = "other-" + user;
        UUID mine = created(create(user, UUID.randomUUID()));
        UUID theirs = created(create(other, UUID.randomUUID()));
        awaitStatus(mine, "REQUESTED", 0);
        String admin = TestTokens.admin("ops-" + UUID.randomUUID());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> listing = send("GET", "/v1/admin/sessions?user=" + other + "&status=requested", admin);
            assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
            assertThat(json(listing).get("sessions").valueStream().map(session -> session.get("id").stringValue()))
                    .containsExactly(theirs.toString());
        });
        Map<TopicPartition, Long> before = commands.endOffsets();

        HttpResponse<String> terminated = send("DELETE", "/v1/admin/sessions/" + theirs, admin);

        assertThat(terminated.statusCode()).as(terminated.body()).isEqualTo(202);
        assertThat(commands.commandsFor(theirs, before)).singleElement().isInstanceOfSatisfying(SessionCommand.Terminate.class, terminate -> {
            assertThat(terminate.reason()).isEqualTo(TerminationReason.ADMIN);
            assertThat(terminate.userId()).isEqualTo(other);
        });
        assertProblem(send("DELETE", "/v1/admin/sessions/" + theirs, TestTokens.user(user)), 403, "admin");
        assertProblem(send("DELETE", "/v1/admin/sessions/" + UUID.randomUUID(), admin), 404, "not found");
    }

    private HttpResponse<String> extend(String token, Object id, String body) {
        return service.send(service.request("/v1/sessions/" + id + "/extend").header("Content-Type", "application/json")
                .header(AUTHORIZATION, bearer(token)).POST(BodyPublishers.ofString(body)));
    }

    /** A row as the provisioner writes it for a live session: requested and created just now, expiring at {@code expiresAt}. */
    private static SessionView liveRow(SessionView requested, SessionStatus status, long version, Instant expiresAt) {
        return new SessionView(requested.id(), requested.userId(), requested.projectId(), status, null, null,
                "machine-" + requested.id(), "http://127.0.0.1:40000", "local", requested.tier(), null, version,
                requested.requestedAt(), requested.requestedAt(), Instant.now(), requested.requestedAt(), expiresAt, null,
                Duration.ofMinutes(30));
    }

    /** The requested view of a session just created, as the API holds it, with its ACTIVE row published after it. */
    private SessionView activeSession(Tier tier, Duration ttl) throws Exception {
        UUID id = created(create(TestTokens.user(user, tier), "{\"projectId\":\"" + UUID.randomUUID() + "\",\"ttl\":"
                + ttl.toSeconds() + "}"));
        JsonNode read = json(get(user, id));
        Instant requestedAt = Instant.parse(read.get("requestedAt").stringValue());
        SessionView requested = new SessionView(id, user, UUID.fromString(read.get("projectId").stringValue()),
                SessionStatus.REQUESTED, null, null, null, null, null, tier, null, 0, requestedAt, null, null, null, null,
                null, null);
        publishRows(null, liveRow(requested, SessionStatus.ACTIVE, 2, requestedAt.plus(ttl)));
        awaitStatus(id, "ACTIVE", 2);
        return requested;
    }

    @Test
    void extendWithinTheCapMovesExpiresAtOnceTheProvisionerAppliedIt() throws Exception {
        SessionView session = activeSession(Tier.PRO, Duration.ofMinutes(30));
        Map<TopicPartition, Long> before = commands.endOffsets();
        // this test plays the provisioner: the EXTEND it sees becomes a row with the new expiry
        CompletableFuture<SessionCommand.Extend> provisioner = CompletableFuture.supplyAsync(() -> {
            SessionCommand.Extend extend = await().atMost(Duration.ofSeconds(20)).until(
                    () -> commands.commandsFor(session.id(), before).stream()
                            .filter(SessionCommand.Extend.class::isInstance).map(SessionCommand.Extend.class::cast)
                            .findFirst().orElse(null), java.util.Objects::nonNull);
            try {
                publishRows(null, liveRow(session, SessionStatus.ACTIVE, 3, extend.expiresAt()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return extend;
        });
        Instant asked = Instant.now();

        HttpResponse<String> response = extend(TestTokens.user(user, Tier.PRO), session.id(), "{\"ttl\":\"PT1H\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        SessionCommand.Extend extend = provisioner.get(30, TimeUnit.SECONDS);
        assertThat(extend.userId()).isEqualTo(user);
        assertThat(extend.expiresAt()).isBetween(asked.plus(Duration.ofHours(1)).minusSeconds(1),
                Instant.now().plus(Duration.ofHours(1)));
        assertThat(json(response).get("expiresAt").stringValue()).isEqualTo(extend.expiresAt().toString());
        assertThat(json(response).get("version").longValue()).isEqualTo(3);
        assertThat(json(get(user, session.id())).get("expiresAt").stringValue()).isEqualTo(extend.expiresAt().toString());
    }

    @Test
    void extendBeyondTheCapIsA400NamingTheCapAndWhatCanStillBeGrantedAndPublishesNothing() throws Exception {
        SessionView session = activeSession(Tier.FREE, Duration.ofMinutes(20));
        Map<TopicPartition, Long> before = commands.endOffsets();

        HttpResponse<String> refused = extend(TestTokens.user(user), session.id(), "{\"ttl\":2400}");

        assertProblem(refused, 400, "past the free tier's lifetime cap of PT30M");
        JsonNode problem = json(refused);
        assertThat(problem.get("code").stringValue()).isEqualTo("extend_beyond_cap");
        assertThat(problem.get("cap").stringValue()).isEqualTo("PT30M");
        assertThat(problem.get("capSeconds").longValue()).isEqualTo(1800);
        // the session was requested moments ago: a little under 30 minutes are left
        assertThat(problem.get("maxTtlSeconds").longValue()).isBetween(1700L, 1800L);
        assertThat(Duration.parse(problem.get("maxTtl").stringValue()).toSeconds())
                .isEqualTo(problem.get("maxTtlSeconds").longValue());
        assertThat(problem.get("detail").stringValue()).contains(problem.get("maxTtlSeconds").longValue() + " seconds");
        assertThat(commands.since(before)).isEmpty();
    }

    @Test
    void extendOfSomeoneElsesSessionIsNotFoundButAnAdminMayExtendIt() throws Exception {
        SessionView session = activeSession(Tier.FREE, Duration.ofMinutes(10));
        Map<TopicPartition, Long> before = commands.endOffsets();

        assertProblem(extend(TestTokens.user("stranger-" + UUID.randomUUID()), session.id(), "{\"ttl\":\"PT5M\"}"), 404,
                "session " + session.id() + " not found");
        assertThat(commands.since(before)).isEmpty();

        // nobody applies it here: after extend-wait the admin gets 202 with the session as known and where to look
        HttpResponse<String> accepted = extend(TestTokens.admin("ops-" + UUID.randomUUID()), session.id(),
                "{\"ttl\":\"PT5M\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode body = json(accepted);
        assertThat(body.at("/session/id").stringValue()).isEqualTo(session.id().toString());
        assertThat(body.get("statusUrl").stringValue()).isEqualTo("http://api.test/v1/sessions/" + session.id());
        assertThat(accepted.headers().firstValue("Location")).hasValue("http://api.test/v1/sessions/" + session.id());
        assertThat(commands.commandsFor(session.id(), before)).singleElement()
                .isInstanceOfSatisfying(SessionCommand.Extend.class, extend -> {
                    assertThat(extend.userId()).as("the owner, not the admin").isEqualTo(user);
                    assertThat(extend.expiresAt().toString()).isEqualTo(body.get("pendingExpiresAt").stringValue());
                });
    }

    @Test
    void extendOfASessionThatEndedIsAConflictAndPublishesNothing() throws Exception {
        UUID id = created(create(user, UUID.randomUUID()));
        publishRows(null, row(id, user, SessionStatus.TERMINATED, 4));
        awaitStatus(id, "TERMINATED", 4);
        Map<TopicPartition, Long> before = commands.endOffsets();

        HttpResponse<String> refused = extend(TestTokens.user(user), id, "{\"ttl\":\"PT5M\"}");

        assertProblem(refused, 409, "has ended (TERMINATED, reason user) and cannot be extended");
        assertThat(json(refused).get("code").stringValue()).isEqualTo("session_ended");
        assertThat(json(refused).get("sessionStatus").stringValue()).isEqualTo("TERMINATED");
        assertThat(commands.since(before)).isEmpty();
    }

    @Test
    void healthIsOpenToAnyoneAndTheRestOfTheActuatorOnlyToAdmins() {
        assertThat(send("GET", "/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        assertProblem(send("GET", "/actuator/metrics", null), 401, "a bearer token is required");
        assertProblem(send("GET", "/actuator/metrics", TestTokens.user(user)), 403, "admin");
        assertThat(send("GET", "/actuator/metrics", TestTokens.admin("ops-1")).statusCode()).isEqualTo(200);
    }

    @Test
    void readinessReportsTheView() {
        HttpResponse<String> readiness = service.send(service.request("/actuator/health/readiness").GET());

        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(json(readiness).at("/components/sessionDirectory/status").stringValue()).isEqualTo("UP");
    }

    static Stream<Arguments> badRequests() {
        UUID project = UUID.randomUUID();
        String valid = "{\"projectId\":\"" + project + "\"}";
        return Stream.of(
                bad("malformed JSON", 400, "not valid JSON", "POST", "application/json", "{\"projectId\": ", "u"),
                bad("projectId that is not a UUID", 400, "projectId must be a UUID", "POST", "application/json",
                        "{\"projectId\":\"p-1\"}", "u"),
                bad("unknown field", 400, "unknown field 'framework'", "POST", "application/json",
                        "{\"projectId\":\"" + project + "\",\"framework\":\"react\"}", "u"),
                bad("unknown template", 400, "unknown template 'angular'; known templates are react, vue, svelte, next, react-native", "POST",
                        "application/json", "{\"projectId\":\"" + project + "\",\"template\":\"angular\"}", "u"),
                bad("unknown tier", 400, "tier must be one of free, pro, team", "POST", "application/json",
                        "{\"projectId\":\"" + project + "\",\"tier\":\"gold\"}", "u"),
                bad("oversized body", 413, "at most 16384 bytes", "POST", "application/json",
                        valid + " ".repeat(20 * 1024), "u"),
                bad("body that is not JSON", 415, "text/plain", "POST", "text/plain", valid, "u"),
                bad("missing token", 401, "a bearer token is required", "POST", "application/json", valid, null),
                bad("token signed with another secret", 401, "the bearer token was refused", "POST",
                        "application/json", valid, null, AUTHORIZATION,
                        bearer(TestTokens.signed("another-secret-of-at-least-32-bytes-long!",
                                TestTokens.claims("u").build()))),
                bad("ttl above the tier's cap", 422, "longer than the free tier allows (PT30M)", "POST",
                        "application/json", "{\"projectId\":\"" + project + "\",\"ttl\":\"PT2H\"}", "u"),
                bad("tier above the caller's", 403, "tier 'pro' is above your tier 'free'", "POST", "application/json",
                        "{\"projectId\":\"" + project + "\",\"tier\":\"pro\"}", "u"),
                bad("admin listing by a user", 403, "needs the 'admin' role", "GET", null, null, "u",
                        "path", "/v1/admin/sessions"),
                bad("malformed Idempotency-Key", 400, "Idempotency-Key must be", "POST", "application/json", valid,
                        "u", PreviewHeaders.IDEMPOTENCY_KEY, "has space"),
                bad("read of an id that is not a UUID", 400, "session id must be a UUID", "GET", null, null, "u",
                        "path", "/v1/sessions/12345"),
                bad("delete of an id that is not a UUID", 400, "session id must be a UUID", "DELETE", null, null, "u",
                        "path", "/v1/sessions/12345"),
                bad("read of an unknown session", 404, "not found", "GET", null, null, "u",
                        "path", "/v1/sessions/" + UUID.randomUUID()),
                bad("delete of an unknown session", 404, "not found", "DELETE", null, null, "u",
                        "path", "/v1/sessions/" + UUID.randomUUID()),
                bad("read asking for a version that is not a number", 400, "minVersion must be a whole number", "GET",
                        null, null, "u", "path", "/v1/sessions/" + UUID.randomUUID() + "?minVersion=-1"),
                bad("listing with an unknown status", 400, "status must be one of", "GET", null, null, "u",
                        "path", "/v1/sessions?status=RUNNING"),
                bad("extend without a ttl", 400, "ttl is required", "POST", "application/json", "{}", "u",
                        "path", "/v1/sessions/" + UUID.randomUUID() + "/extend"),
                bad("extend with a negative ttl", 400, "at least 60 seconds; got PT-10M", "POST", "application/json",
                        "{\"ttl\":-600}", "u", "path", "/v1/sessions/" + UUID.randomUUID() + "/extend"),
                bad("extend with a ttl of zero", 400, "at least 60 seconds; got PT0S", "POST", "application/json",
                        "{\"ttl\":\"PT0S\"}", "u", "path", "/v1/sessions/" + UUID.randomUUID() + "/extend"),
                bad("extend with a ttl that is not a duration", 400, "ISO-8601 duration", "POST", "application/json",
                        "{\"ttl\":\"soon\"}", "u", "path", "/v1/sessions/" + UUID.randomUUID() + "/extend"),
                bad("extend with a ttl too big for a number of seconds", 400, "which is too big", "POST",
                        "application/json", "{\"ttl\":123456789012345678901234567890}", "u",
                        "path", "/v1/sessions/" + UUID.randomUUID() + "/extend"),
                bad("extend of an unknown session", 404, "not found", "POST", "application/json", "{\"ttl\":600}", "u",
                        "path", "/v1/sessions/" + UUID.randomUUID() + "/extend"));
    }

    private static Arguments bad(String name, int status, String detail, String method, String contentType,
            String body, String user, String... extra) {
        return Arguments.of(Named.of(name, new BadRequest(status, detail, method, contentType, body, user,
                List.of(extra))));
    }

    record BadRequest(int status, String detail, String method, String contentType, String body, String user,
            List<String> extra) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badInputIsAProblemAndPublishesNothing(BadRequest bad) {
        String path = "/v1/sessions";
        var request = service.request(path);
        for (int i = 0; i < bad.extra().size(); i += 2) {
            if (bad.extra().get(i).equals("path")) {
                request = service.request(bad.extra().get(i + 1));
            }
        }
        for (int i = 0; i < bad.extra().size(); i += 2) {
            if (!bad.extra().get(i).equals("path")) {
                request.header(bad.extra().get(i), bad.extra().get(i + 1));
            }
        }
        if (bad.user() != null) {
            request.header(AUTHORIZATION, bearer(TestTokens.user(user)));
        }
        if (bad.contentType() != null) {
            request.header("Content-Type", bad.contentType());
        }
        request.method(bad.method(), bad.body() == null ? BodyPublishers.noBody() : BodyPublishers.ofString(bad.body()));
        Map<TopicPartition, Long> before = commands.endOffsets();

        HttpResponse<String> response = service.send(request);

        assertProblem(response, bad.status(), bad.detail());
        assertThat(commands.since(before)).as("records published for a refused request").isEmpty();
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detail) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.get("status").intValue()).isEqualTo(status);
        assertThat(problem.get("title").stringValue()).isNotBlank();
        assertThat(problem.get("code").stringValue()).isNotBlank();
        assertThat(problem.get("detail").stringValue()).contains(detail);
    }
}
