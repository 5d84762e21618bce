package dev.velocitypreview.sessions.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.sessions.SessionServiceProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The HTTP contract without Kafka: what is accepted, how each refusal looks, and that a refusal
 * publishes nothing. The view is a real directory that is never started, i.e. still loading.
 */
@WebMvcTest(controllers = SessionController.class, properties = {
        "spring.config.name=session-service",
        "velocity.session-service.max-request-body=1KB",
        "velocity.session-service.preview-base-url=http://preview.test:8081/",
        "velocity.session-service.public-base-url=https://api.test"})
@Import({ProblemResponses.class, SessionMetrics.class, SessionApiTest.Beans.class})
class SessionApiTest {

    private static final String USER = "user-1";
    private static final UUID PROJECT = UUID.fromString("7d7d1b5e-0c1a-4a44-9a55-2c3d4e5f6a7b");

    @TempDir
    static Path stateDir;

    @Autowired
    MockMvcTester mvc;
    @Autowired
    RecordingCommandPublisher publisher;
    @Autowired
    MeterRegistry registry;

    @TestConfiguration
    @EnableConfigurationProperties(SessionServiceProperties.class)
    static class Beans {
        @Bean
        RecordingCommandPublisher publisher() {
            return new RecordingCommandPublisher();
        }

        @Bean(destroyMethod = "close")
        SessionDirectory directory() {
            Properties config = new Properties();
            config.put(StreamsConfig.APPLICATION_ID_CONFIG, "session-api-test");
            config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
            config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            // never started, but its admin client would still try the (absent) broker every second
            config.put(StreamsConfig.adminClientPrefix("reconnect.backoff.ms"), "3600000");
            config.put(StreamsConfig.adminClientPrefix("reconnect.backoff.max.ms"), "3600000");
            return new SessionDirectory(config);
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @BeforeEach
    void reset() {
        publisher.reset();
        registry.clear();
    }

    private MvcTestResult post(String body) {
        return mvc.post().uri("/v1/sessions").header(PreviewHeaders.USER_ID, USER)
                .contentType(MediaType.APPLICATION_JSON).content(body).exchange();
    }

    private void assertProblem(MvcTestResult result, HttpStatus status, String code, String detailContains) {
        assertThat(result).hasStatus(status);
        assertThat(result).hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result).bodyJson().extractingPath("$.status").isEqualTo(status.value());
        assertThat(result).bodyJson().extractingPath("$.code").isEqualTo(code);
        assertThat(result).bodyJson().extractingPath("$.detail").asString().contains(detailContains);
        assertThat(publisher.published()).as("nothing is published for a refused request").isEmpty();
        assertThat(registry.get("velocity.sessions.rejected").tag("reason", code).counter().count()).isEqualTo(1.0);
    }

    @Test
    void acceptedRequestAnswersWithItsLinksOnceTheCreateIsPublished() {
        Instant before = Instant.now();

        MvcTestResult result = post("{\"projectId\":\"" + PROJECT + "\"}");

        assertThat(result).hasStatus(HttpStatus.ACCEPTED);
        assertThat(publisher.published()).singleElement().satisfies(create -> {
            assertThat(create.type()).isEqualTo(SessionCommand.Type.CREATE);
            assertThat(create.userId()).isEqualTo(USER);
            assertThat(create.projectId()).isEqualTo(PROJECT);
            assertThat(create.tier()).isEqualTo(Tier.FREE);
            assertThat(create.issuedAt()).isBetween(before, Instant.now());
            String id = create.sessionId().toString();
            assertThat(result).bodyJson().extractingPath("$.sessionId").isEqualTo(id);
            assertThat(result).bodyJson().extractingPath("$.status").isEqualTo("REQUESTED");
            assertThat(result).bodyJson().extractingPath("$.previewUrl").isEqualTo("http://preview.test:8081/s/" + id + "/");
            assertThat(result).bodyJson().extractingPath("$.statusUrl").isEqualTo("https://api.test/v1/sessions/" + id);
            assertThat(result).headers().hasValue(HttpHeaders.LOCATION, "https://api.test/v1/sessions/" + id);
        });
        assertThat(registry.get("velocity.sessions.requested").tag("tier", "free").counter().count()).isEqualTo(1.0);
    }

    @Test
    void requestedTierIsPublished() {
        assertThat(post("{\"projectId\":\"" + PROJECT + "\",\"tier\":\"team\"}")).hasStatus(HttpStatus.ACCEPTED);

        assertThat(publisher.published()).singleElement().extracting(SessionCommand::tier).isEqualTo(Tier.TEAM);
    }

    @Test
    void requestWithoutUserIdIsUnauthorized() {
        MvcTestResult result = mvc.post().uri("/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .content("{\"projectId\":\"" + PROJECT + "\"}").exchange();

        assertProblem(result, HttpStatus.UNAUTHORIZED, "unauthenticated", "X-User-Id header is required");
    }

    @Test
    void requestWithMalformedUserIdIsUnauthorized() {
        MvcTestResult result = mvc.post().uri("/v1/sessions").header(PreviewHeaders.USER_ID, "bob smith")
                .contentType(MediaType.APPLICATION_JSON).content("{\"projectId\":\"" + PROJECT + "\"}").exchange();

        assertProblem(result, HttpStatus.UNAUTHORIZED, "unauthenticated", "userId must be 1-128 characters");
    }

    @Test
    void malformedJsonIsRefusedWithWhereItBroke() {
        assertProblem(post("{\"projectId\": "), HttpStatus.BAD_REQUEST, "malformed_json",
                "request body is not valid JSON at line 1");
    }

    @Test
    void bodyThatIsNotAnObjectIsRefused() {
        assertProblem(post("[\"" + PROJECT + "\"]"), HttpStatus.BAD_REQUEST, "malformed_json",
                "request body must be a JSON object");
    }

    @Test
    void emptyBodyIsRefused() {
        assertProblem(post(""), HttpStatus.BAD_REQUEST, "missing_body", "request body is required");
    }

    @Test
    void duplicateFieldIsRefused() {
        assertProblem(post("{\"projectId\":\"" + PROJECT + "\",\"projectId\":\"" + UUID.randomUUID() + "\"}"),
                HttpStatus.BAD_REQUEST, "malformed_json", "projectId");
    }

    @Test
    void unknownFieldIsRefusedByName() {
        MvcTestResult result = post("{\"projectId\":\"" + PROJECT + "\",\"template\":\"react\"}");

        assertProblem(result, HttpStatus.BAD_REQUEST, "unknown_field",
                "unknown field 'template'; accepted fields are projectId, tier");
        assertThat(result).bodyJson().extractingPath("$.field").isEqualTo("template");
    }

    @Test
    void missingProjectIdIsRefused() {
        assertProblem(post("{\"tier\":\"pro\"}"), HttpStatus.BAD_REQUEST, "missing_field", "projectId is required");
    }

    @Test
    void projectIdOfTheWrongTypeIsRefused() {
        assertProblem(post("{\"projectId\":42}"), HttpStatus.BAD_REQUEST, "invalid_type",
                "projectId must be a JSON string, got JSON type number");
    }

    @Test
    void projectIdThatIsNotAUuidIsRefused() {
        assertProblem(post("{\"projectId\":\"project-1\"}"), HttpStatus.BAD_REQUEST, "invalid_project_id",
                "projectId must be a UUID (8-4-4-4-12 hex digits), got 'project-1'");
    }

    @Test
    void unknownTierIsRefusedListingTheTiers() {
        assertProblem(post("{\"projectId\":\"" + PROJECT + "\",\"tier\":\"gold\"}"), HttpStatus.BAD_REQUEST,
                "unknown_tier", "tier must be one of free, pro, team, got 'gold'");
    }

    @Test
    void oversizedBodyIsRefused() {
        String padding = " ".repeat(1024);

        assertProblem(post("{\"projectId\":\"" + PROJECT + "\"}" + padding), HttpStatus.CONTENT_TOO_LARGE,
                "body_too_large", "at most 1024 bytes");
    }

    @Test
    void bodyThatIsNotJsonIsUnsupported() {
        MvcTestResult result = mvc.post().uri("/v1/sessions").header(PreviewHeaders.USER_ID, USER)
                .contentType(MediaType.TEXT_PLAIN).content("projectId=" + PROJECT).exchange();

        assertProblem(result, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "text/plain");
    }

    @Test
    void malformedIdempotencyKeyIsRefused() {
        MvcTestResult result = mvc.post().uri("/v1/sessions").header(PreviewHeaders.USER_ID, USER)
                .header(PreviewHeaders.IDEMPOTENCY_KEY, "two words").contentType(MediaType.APPLICATION_JSON)
                .content("{\"projectId\":\"" + PROJECT + "\"}").exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_idempotency_key",
                "Idempotency-Key must be 1-255 visible ASCII characters");
    }

    @Test
    void createThatKafkaDoesNotAcknowledgeIsUnavailableNotAccepted() {
        publisher.stopAcknowledging();

        MvcTestResult result = post("{\"projectId\":\"" + PROJECT + "\"}");

        assertProblem(result, HttpStatus.SERVICE_UNAVAILABLE, "not_acknowledged", "could not be stored in time");
        assertThat(result).headers().hasValue(HttpHeaders.RETRY_AFTER, "1");
        assertThat(registry.find("velocity.sessions.requested").counter()).isNull();
    }

    @Test
    void readOfAnIdThatIsNotAUuidIsRefused() {
        MvcTestResult result = mvc.get().uri("/v1/sessions/{id}", "abc").header(PreviewHeaders.USER_ID, USER)
                .exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_session_id", "session id must be a UUID");
    }

    @Test
    void deleteOfAnIdThatIsNotAUuidIsRefused() {
        MvcTestResult result = mvc.delete().uri("/v1/sessions/{id}", "not-a-session").header(PreviewHeaders.USER_ID, USER)
                .exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_session_id", "session id must be a UUID");
    }

    @Test
    void readWhileTheViewIsLoadingAsksToRetry() {
        MvcTestResult result = mvc.get().uri("/v1/sessions/{id}", UUID.randomUUID())
                .header(PreviewHeaders.USER_ID, USER).exchange();

        assertProblem(result, HttpStatus.SERVICE_UNAVAILABLE, "view_not_ready", "still loading");
        assertThat(result).headers().hasValue(HttpHeaders.RETRY_AFTER, "1");
    }

    @Test
    void createWithAKeyWhileTheViewIsLoadingAsksToRetry() {
        MvcTestResult result = mvc.post().uri("/v1/sessions").header(PreviewHeaders.USER_ID, USER)
                .header(PreviewHeaders.IDEMPOTENCY_KEY, "order-7").contentType(MediaType.APPLICATION_JSON)
                .content("{\"projectId\":\"" + PROJECT + "\"}").exchange();

        assertProblem(result, HttpStatus.SERVICE_UNAVAILABLE, "view_not_ready", "retry shortly");
    }

    @Test
    void listingWithAnUnknownStatusIsRefusedListingTheStatuses() {
        MvcTestResult result = mvc.get().uri("/v1/sessions?status=RUNNING").header(PreviewHeaders.USER_ID, USER)
                .exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_status",
                "status must be one of [REQUESTED, PROVISIONING, STARTING, ACTIVE, SUSPENDED, STOPPING, TERMINATED, FAILED]");
    }

    @Test
    void listingWithALimitOutOfRangeIsRefused() {
        MvcTestResult result = mvc.get().uri("/v1/sessions?limit=501").header(PreviewHeaders.USER_ID, USER)
                .exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_limit", "limit must be a whole number from 1 to 500");
    }

    @Test
    void unknownPathIsAProblemToo() {
        MvcTestResult result = mvc.get().uri("/v1/nothing-here").header(PreviewHeaders.USER_ID, USER).exchange();

        assertProblem(result, HttpStatus.NOT_FOUND, "not_found", "No endpoint GET /v1/nothing-here");
    }
}
