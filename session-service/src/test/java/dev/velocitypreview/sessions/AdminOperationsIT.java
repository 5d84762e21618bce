package dev.velocitypreview.sessions;

import static dev.velocitypreview.sessions.RunningSessionService.json;
import static dev.velocitypreview.sessions.TestTokens.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.cleanup.CleanupReport;
import dev.velocitypreview.core.cleanup.CleanupRequest;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.testkit.TestKafka;
import tools.jackson.databind.JsonNode;

/**
 * The admin operations and the metrics against a broker of their own, so the view holds only what this test wrote:
 * it plays the provisioner and the CDC relay (rows on {@code preview.sessions}) and, with spring-kafka, a cleanup
 * service that answers each request with a report for its partition.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminOperationsIT {

    private static final String AUTHORIZATION = "Authorization";
    private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(4);
    private static final int REQUEST_PARTITIONS = 3;
    private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");

    private static TestKafka kafka;
    private static RunningSessionService service;
    private static KafkaProducer<String, SessionView> changelog;
    private static FakeCleanup cleanup;

    private final String admin = TestTokens.admin("ops-" + UUID.randomUUID());

    @BeforeAll
    static void start() {
        kafka = TestKafka.startDedicated();
        service = RunningSessionService.start(kafka.bootstrapServers(), Map.of(
                "velocity.session-service.auth.hs256-secret", TestTokens.SECRET,
                "velocity.session-service.cleanup-timeout", CLEANUP_TIMEOUT.toString())).awaitReady();
        changelog = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Topics.SESSIONS.keySerde().serializer(), Topics.SESSIONS.valueSerde().serializer());
    }

    @AfterAll
    static void stop() {
        if (cleanup != null) {
            cleanup.close();
        }
        if (changelog != null) {
            changelog.close();
        }
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private HttpResponse<String> send(String method, String path, String token) {
        var request = service.request(path).method(method, BodyPublishers.noBody());
        if (token != null) {
            request.header(AUTHORIZATION, bearer(token));
        }
        return service.send(request);
    }

    private static SessionView row(SessionStatus status, long version, String reason, Instant created, Duration toReady,
                                   Duration lived) {
        UUID id = UUID.randomUUID();
        return new SessionView(id, "user-" + id, UUID.randomUUID(), status, reason, null, null, null, "local", Tier.FREE,
                null, version, created, created, created, toReady == null ? null : created.plus(toReady),
                created.plus(Duration.ofMinutes(30)), lived == null ? null : created.plus(lived), Duration.ofMinutes(10));
    }

    private static void publish(SessionView... rows) throws Exception {
        for (SessionView row : rows) {
            changelog.send(new ProducerRecord<>(Topics.SESSIONS.name(), row.id().toString(), row)).get();
        }
    }

    @Test
    @Order(1)
    void statisticsCountTheSessionsOfTheViewAndTimeTheirLives() throws Exception {
        publish(row(SessionStatus.ACTIVE, 3, null, T0, Duration.ofSeconds(2), null),
                row(SessionStatus.ACTIVE, 3, null, T0.plusSeconds(60), Duration.ofSeconds(4), null),
                row(SessionStatus.TERMINATED, 5, TerminationReason.EXPIRED, T0, Duration.ofSeconds(1), Duration.ofSeconds(600)),
                row(SessionStatus.TERMINATED, 5, TerminationReason.USER, T0, Duration.ofSeconds(3), Duration.ofSeconds(300)),
                row(SessionStatus.FAILED, 2, null, T0, null, null));
        HttpResponse<String> requested = service.send(service.request("/v1/sessions")
                .header("Content-Type", "application/json").header(AUTHORIZATION, bearer(TestTokens.user("someone")))
                .POST(BodyPublishers.ofString("{\"projectId\":\"" + UUID.randomUUID() + "\"}")));
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> response = send("GET", "/v1/admin/statistics", admin);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode statistics = json(response);
            assertThat(statistics.get("activeSessions").longValue()).isEqualTo(2);
            assertThat(statistics.get("expiredSessions").longValue()).isEqualTo(1);
            JsonNode byStatus = statistics.get("sessionsByStatus");
            assertThat(byStatus.propertyNames()).containsExactly("REQUESTED", "PROVISIONING", "STARTING", "ACTIVE",
                    "SUSPENDED", "STOPPING", "TERMINATED", "FAILED");
            assertThat(byStatus.get("REQUESTED").longValue()).isEqualTo(1);
            assertThat(byStatus.get("PROVISIONING").longValue()).isZero();
            assertThat(byStatus.get("ACTIVE").longValue()).isEqualTo(2);
            assertThat(byStatus.get("SUSPENDED").longValue()).isZero();
            assertThat(byStatus.get("TERMINATED").longValue()).isEqualTo(2);
            assertThat(byStatus.get("FAILED").longValue()).isEqualTo(1);
            assertThat(statistics.get("oldestActiveSession").stringValue()).isEqualTo(T0.toString());
            assertThat(statistics.get("newestActiveSession").stringValue()).isEqualTo(T0.plusSeconds(60).toString());
            // (600 + 300) / 2; the failed session has no end time
            assertThat(statistics.get("averageSessionDurationSeconds").doubleValue()).isEqualTo(450.0);
            // created -> ready of 1, 2, 3 and 4 seconds
            assertThat(statistics.at("/provisioningMillis/p50").longValue()).isEqualTo(2000);
            assertThat(statistics.at("/provisioningMillis/p95").longValue()).isEqualTo(4000);
            assertThat(statistics.at("/provisioningMillis/p99").longValue()).isEqualTo(4000);
            assertThat(Instant.parse(statistics.get("computedAt").stringValue()))
                    .isBetween(Instant.now().minusSeconds(5), Instant.now());
        });
        assertThat(send("GET", "/v1/admin/statistics", TestTokens.user("someone")).statusCode()).isEqualTo(403);
    }

    private static double scraped(String scrape, String series) {
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        return value.find() ? Double.parseDouble(value.group(1)) : Double.NaN;
    }

    @Test
    @Order(2)
    void prometheusScrapeShowsSessionsByStatusAndTheProvisioningTimeOfSessionsSeenBecomingActive() throws Exception {
        String count = "velocity_sessions_provisioning_seconds_count";
        String before = send("GET", "/actuator/prometheus", admin).body();
        SessionView starting = row(SessionStatus.STARTING, 2, null, Instant.now(), null, null);
        SessionView active = new SessionView(starting.id(), starting.userId(), starting.projectId(), SessionStatus.ACTIVE,
                null, null, "machine-1", "http://127.0.0.1:40000", "local", Tier.FREE, null, 3, starting.requestedAt(),
                starting.createdAt(), starting.createdAt(), starting.createdAt().plusMillis(1500), starting.expiresAt(), null,
                starting.idleTimeout());
        publish(starting, active);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> response = send("GET", "/actuator/prometheus", admin);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            String scrape = response.body();
            assertThat(scraped(scrape, count)).isEqualTo(scraped(before, count) + 1);
            assertThat(scraped(scrape, "velocity_sessions_provisioning_seconds_sum"))
                    .isCloseTo(scraped(before, "velocity_sessions_provisioning_seconds_sum") + 1.5,
                            org.assertj.core.data.Offset.offset(0.001));
            assertThat(scrape).contains("velocity_sessions_provisioning_seconds_bucket{");
            assertThat(scraped(scrape, "velocity_sessions_current{status=\"active\"}")).isEqualTo(3);
            assertThat(scraped(scrape, "velocity_sessions_current{status=\"suspended\"}")).isZero();
            assertThat(scraped(scrape, "velocity_sessions_current{status=\"failed\"}")).isEqualTo(1);
        });
        // a scraper's token (the metrics role) opens this endpoint and no other of the actuator
        String scraper = TestTokens.withRoles("prometheus", "metrics");
        assertThat(send("GET", "/actuator/prometheus", scraper).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/metrics", scraper).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/actuator/prometheus", TestTokens.user("someone")).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/actuator/prometheus", null).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(3)
    void cleanupIsUnavailableWhileTheCleanupServiceIsNotDeployed() {
        HttpResponse<String> response = send("POST", "/v1/admin/cleanup", admin);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(json(response).get("code").stringValue()).isEqualTo("cleanup_not_deployed");
        assertThat(json(response).get("detail").stringValue())
                .contains("the cleanup service is not deployed: topic preview.cleanup-requests does not exist");
        assertThat(send("POST", "/v1/admin/cleanup", TestTokens.user("someone")).statusCode()).isEqualTo(403);
    }

    @Test
    @Order(4)
    void cleanupAddsUpTheReportOfEveryPartition() throws Exception {
        cleanup = FakeCleanup.deploy(kafka.bootstrapServers());

        HttpResponse<String> response = send("POST", "/v1/admin/cleanup", admin);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode outcome = json(response);
        // partition p reports p + 1 expired, 10 suspended, 1 of each other kind
        assertThat(outcome.get("expired").longValue()).isEqualTo(1 + 2 + 3);
        assertThat(outcome.get("suspended").longValue()).isEqualTo(30);
        assertThat(outcome.get("terminatedIdle").longValue()).isEqualTo(3);
        assertThat(outcome.get("orphansDestroyed").longValue()).isEqualTo(3);
        assertThat(outcome.get("lostFailed").longValue()).isEqualTo(3);
        assertThat(outcome.get("purged").longValue()).isEqualTo(3);
        assertThat(outcome.get("errors").longValue()).isZero();
        assertThat(outcome.get("partitions").intValue()).isEqualTo(REQUEST_PARTITIONS);
        assertThat(outcome.get("completedAt").stringValue()).isEqualTo(FakeCleanup.completedAt(REQUEST_PARTITIONS - 1).toString());
        assertThat(cleanup.answeredPartitions()).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    @Order(5)
    void cleanupThatNotEveryPartitionAnswersInTimeIsA504NamingHowManyDid() {
        cleanup.answerOnly(Set.of(0, 2));

        long started = System.nanoTime();
        HttpResponse<String> response = send("POST", "/v1/admin/cleanup", admin);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
        JsonNode problem = json(response);
        assertThat(problem.get("code").stringValue()).isEqualTo("cleanup_incomplete");
        assertThat(problem.get("detail").stringValue()).contains("2 of 3 partitions of preview.cleanup-requests reported");
        assertThat(problem.get("answered").intValue()).isEqualTo(2);
        assertThat(problem.get("partitions").intValue()).isEqualTo(3);
        assertThat(took).isBetween(CLEANUP_TIMEOUT, CLEANUP_TIMEOUT.plusSeconds(10));
    }

    /**
     * Stands in for the cleanup service: creates its topics, and answers each request on the reply topic and
     * partition it names, with the correlation id it carries, as spring-kafka's request/reply expects.
     */
    static final class FakeCleanup implements AutoCloseable {

        private final KafkaMessageListenerContainer<String, CleanupRequest> container;
        private final DefaultKafkaProducerFactory<String, CleanupReport> producers;
        private final List<Integer> answered = new CopyOnWriteArrayList<>();
        private volatile Set<Integer> answering = Set.of(0, 1, 2);

        private FakeCleanup(String bootstrap) {
            producers = new DefaultKafkaProducerFactory<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    Topics.CLEANUP_REPORTS.keySerde().serializer(), Topics.CLEANUP_REPORTS.valueSerde().serializer());
            KafkaTemplate<String, CleanupReport> reports = new KafkaTemplate<>(producers);
            ContainerProperties properties = new ContainerProperties(Topics.CLEANUP_REQUESTS.name());
            properties.setGroupId("fake-cleanup");
            properties.setMessageListener((MessageListener<String, CleanupRequest>) request -> {
                if (!answering.contains(request.partition())) {
                    return;
                }
                Header replyTopic = request.headers().lastHeader(KafkaHeaders.REPLY_TOPIC);
                Header replyPartition = request.headers().lastHeader(KafkaHeaders.REPLY_PARTITION);
                Header correlation = request.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
                int p = request.partition();
                CleanupReport report = new CleanupReport(1, p + 1, 10, 1, 1, 1, 1, 0, null, completedAt(p));
                ProducerRecord<String, CleanupReport> reply = new ProducerRecord<>(
                        new String(replyTopic.value(), java.nio.charset.StandardCharsets.UTF_8),
                        replyPartition == null ? null : ByteBuffer.wrap(replyPartition.value()).getInt(), null, report);
                reply.headers().add(KafkaHeaders.CORRELATION_ID, correlation.value());
                reports.send(reply).join();
                answered.add(p);
            });
            container = new KafkaMessageListenerContainer<>(new DefaultKafkaConsumerFactory<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    Topics.CLEANUP_REQUESTS.keySerde().deserializer(), Topics.CLEANUP_REQUESTS.valueSerde().deserializer()),
                    properties);
        }

        static FakeCleanup deploy(String bootstrap) throws Exception {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(Topics.CLEANUP_REQUESTS.name(), REQUEST_PARTITIONS, (short) 1),
                        new NewTopic(Topics.CLEANUP_REPORTS.name(), 1, (short) 1))).all().get();
            }
            FakeCleanup cleanup = new FakeCleanup(bootstrap);
            cleanup.container.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> cleanup.container.getAssignedPartitions() != null
                    && cleanup.container.getAssignedPartitions().size() == REQUEST_PARTITIONS);
            return cleanup;
        }

        static Instant completedAt(int partition) {
            return T0.plus(Duration.ofDays(1)).plusSeconds(partition);
        }

        void answerOnly(Set<Integer> partitions) {
            answering = Set.copyOf(partitions);
        }

        List<Integer> answeredPartitions() {
            return List.copyOf(answered);
        }

        @Override
        public void close() {
            container.stop();
            producers.destroy();
        }
    }
}
