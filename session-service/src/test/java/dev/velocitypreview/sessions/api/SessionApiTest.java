package dev.velocitypreview.sessions.api;

import static dev.velocitypreview.sessions.TestTokens.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.sessions.TestTokens;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The HTTP contract without Kafka: what is refused, how each refusal looks, and that a refusal
 * publishes nothing. The view is a real directory that is never started, i.e. still loading, so a
 * request that passes every check ends in 503 {@code view_not_ready}: that is how these tests see
 * that a request was let through. What needs a loaded view is tested in {@code SessionServiceIT}.
 */
@WebMvcTest(controllers = {SessionController.class, AdminSessionController.class, TemplateController.class}, properties = {
        "spring.config.name=session-service",
        "velocity.session-service.max-request-body=1KB",
        "velocity.session-service.preview-base-url=http://preview.test:8081/",
        "velocity.session-service.public-base-url=https://api.test",
        "velocity.session-service.auth.hs256-secret=" + TestTokens.SECRET,
        "velocity.session-service.preview-token-secret=" + TestTokens.PREVIEW_SECRET})
@Import(ApiSlice.class)
class SessionApiTest {

    private static final String USER = "user-1";
    private static final String TOKEN = TestTokens.user(USER);
    private static final UUID PROJECT = UUID.fromString("7d7d1b5e-0c1a-4a44-9a55-2c3d4e5f6a7b");

    @Autowired
    MockMvcTester mvc;
    @Autowired
    RecordingCommandPublisher publisher;
    @Autowired
    MeterRegistry registry;

    @BeforeEach
    void reset() {
        publisher.reset();
        registry.clear();
    }

    private MvcTestResult post(String body) {
        return post(TOKEN, body);
    }

    private MvcTestResult post(String token, String body) {
        return mvc.post().uri("/v1/sessions").header(HttpHeaders.AUTHORIZATION, bearer(token))
                .contentType(MediaType.APPLICATION_JSON).content(body).exchange();
    }

    private static String withProject(String more) {
        return "{\"projectId\":\"" + PROJECT + "\"" + more + "}";
    }

    private void assertProblem(MvcTestResult result, HttpStatus status, String code, String detailContains) {
        assertThat(result).hasStatus(status);
        assertThat(result).hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result).bodyJson().extractingPath("$.status").isEqualTo(status.value());
        assertThat(result).bodyJson().extractingPath("$.code").isEqualTo(code);
        assertThat(result).bodyJson().extractingPath("$.type")
                .isEqualTo("urn:velocity-preview:problem:" + code.replace('_', '-'));
        assertThat(result).bodyJson().extractingPath("$.detail").asString().contains(detailContains);
        assertThat(publisher.published()).as("nothing is published for a refused request").isEmpty();
        assertThat(registry.get("velocity.sessions.rejected").tag("reason", code).counter().count()).isEqualTo(1.0);
    }

    /** The request passed every check the API makes before it needs the view. */
    private void assertLetThrough(MvcTestResult result) {
        assertProblem(result, HttpStatus.SERVICE_UNAVAILABLE, "view_not_ready", "still loading");
    }

    @Test
    void createWhileTheViewIsLoadingAsksToRetryBecauseTheQuotaCannotBeCounted() {
        MvcTestResult result = post(withProject(""));

        assertLetThrough(result);
        assertThat(result).headers().hasValue(HttpHeaders.RETRY_AFTER, "1");
    }

    @Test
    void requestWithoutATokenIsUnauthorizedAndSaysHowToAuthenticate() {
        MvcTestResult result = mvc.post().uri("/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .content(withProject("")).exchange();

        assertProblem(result, HttpStatus.UNAUTHORIZED, "unauthenticated", "Authorization: Bearer <JWT>");
        assertThat(result).headers().hasValue(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"velocity-preview\"");
    }

    @Test
    void theOldUserIdHeaderNoLongerIdentifiesAnyone() {
        MvcTestResult result = mvc.get().uri("/v1/sessions").header("X-User-Id", USER).exchange();

        assertProblem(result, HttpStatus.UNAUTHORIZED, "unauthenticated", "a bearer token is required");
    }

    @Test
    void tierAboveTheCallersOwnIsForbidden() {
        MvcTestResult result = post(withProject(",\"tier\":\"team\""));

        assertProblem(result, HttpStatus.FORBIDDEN, "tier_not_allowed", "tier 'team' is above your tier 'free'");
        assertThat(result).bodyJson().extractingPath("$.field").isEqualTo("tier");
    }

    @Test
    void tierAtOrBelowTheCallersOwnIsAccepted() {
        assertLetThrough(post(TestTokens.user(USER, Tier.PRO), withProject(",\"tier\":\"free\"")));
        reset();
        assertLetThrough(post(TestTokens.user(USER, Tier.PRO), withProject(",\"tier\":\"pro\"")));
    }

    @Test
    void ttlAboveTheTiersCapIsRefusedNamingTheCap() {
        MvcTestResult result = post(withProject(",\"ttl\":\"PT45M\""));

        assertProblem(result, HttpStatus.UNPROCESSABLE_CONTENT, "ttl_above_cap",
                "ttl PT45M is longer than the free tier allows (PT30M)");
        assertThat(result).bodyJson().extractingPath("$.limit").isEqualTo("PT30M");
        assertThat(result).bodyJson().extractingPath("$.limitSeconds").isEqualTo(1800);
        assertThat(result).bodyJson().extractingPath("$.tier").isEqualTo("free");
        assertThat(result).bodyJson().extractingPath("$.field").isEqualTo("ttl");
    }

    @Test
    void ttlWithinTheCapIsAcceptedAsADurationOrAsSeconds() {
        assertLetThrough(post(withProject(",\"ttl\":\"PT30M\"")));
        reset();
        assertLetThrough(post(withProject(",\"ttl\":600")));
        reset();
        assertLetThrough(post(TestTokens.user(USER, Tier.TEAM), withProject(",\"ttl\":\"PT8H\"")));
    }

    @Test
    void aLowerTierAskedForBringsItsLowerTtlCap() {
        MvcTestResult result = post(TestTokens.user(USER, Tier.TEAM), withProject(",\"tier\":\"free\",\"ttl\":\"PT1H\""));

        assertProblem(result, HttpStatus.UNPROCESSABLE_CONTENT, "ttl_above_cap", "free tier allows (PT30M)");
    }

    @Test
    void malformedTtlsAreRefused() {
        for (String ttl : new String[] {"\"soon\"", "30", "1.5", "true", "\"-PT5M\"", "99999999999999999999"}) {
            MvcTestResult result = post(withProject(",\"ttl\":" + ttl));

            assertThat(result).as(ttl).hasStatus(HttpStatus.BAD_REQUEST);
            assertThat(result).bodyJson().extractingPath("$.code").as(ttl).isEqualTo("invalid_ttl");
            assertThat(result).bodyJson().extractingPath("$.detail").asString().as(ttl)
                    .contains("ttl must be an ISO-8601 duration (\"PT45M\") or a whole number of seconds, at least 60");
        }
        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void unknownVisibilityIsRefusedListingTheChoices() {
        assertProblem(post(withProject(",\"visibility\":\"secret\"")), HttpStatus.BAD_REQUEST, "unknown_visibility",
                "visibility must be one of public, private");
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
        MvcTestResult result = post(withProject(",\"framework\":\"react\""));

        assertProblem(result, HttpStatus.BAD_REQUEST, "unknown_field",
                "unknown field 'framework'; accepted fields are projectId, template, visibility, ttl, tier");
        assertThat(result).bodyJson().extractingPath("$.field").isEqualTo("framework");
    }

    @Test
    void missingProjectIdIsRefused() {
        assertProblem(post("{\"tier\":\"free\"}"), HttpStatus.BAD_REQUEST, "missing_field", "projectId is required");
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
        assertProblem(post(withProject(",\"tier\":\"gold\"")), HttpStatus.BAD_REQUEST,
                "unknown_tier", "tier must be one of free, pro, team, got 'gold'");
    }

    @Test
    void anUnknownTemplateIsRefusedListingTheKnownOnes() {
        MvcTestResult result = post(withProject(",\"template\":\"angular\""));

        assertProblem(result, HttpStatus.BAD_REQUEST, "unknown_template", "unknown template 'angular'; known templates are react, vue, svelte, next, react-native");
        assertThat(result).bodyJson().extractingPath("$.field").isEqualTo("template");
        assertThat(result).bodyJson().extractingPath("$.knownTemplates[0]").isEqualTo("react");
    }

    @Test
    void aTemplateThatIsNotAStringIsRefused() {
        assertProblem(post(withProject(",\"template\":[\"react\"]")), HttpStatus.BAD_REQUEST, "invalid_type",
                "template must be a JSON string, got JSON type array");
    }

    @Test
    void aTemplateNeedingALargerMachineThanTheTierGrantsIsRefusedNamingBothSizes() {
        MvcTestResult result = post(withProject(",\"template\":\"next\""));

        assertProblem(result, HttpStatus.FORBIDDEN, "template_needs_larger_machine",
                "template 'next' needs at least a shared-cpu-1x:1024MB machine; the free tier grants shared-cpu-1x:256MB");
        assertThat(result).bodyJson().extractingPath("$.minimumMachine").isEqualTo("shared-cpu-1x:1024MB");
        assertThat(result).bodyJson().extractingPath("$.tierMachine").isEqualTo("shared-cpu-1x:256MB");
    }

    @Test
    void aTierWhoseMachineIsLargeEnoughGetsTheTemplateUnlessItAsksForALowerTier() {
        assertLetThrough(post(TestTokens.user(USER, Tier.PRO), withProject(",\"template\":\"next\"")));
        reset();
        assertProblem(post(TestTokens.user(USER, Tier.TEAM), withProject(",\"template\":\"next\",\"tier\":\"free\"")),
                HttpStatus.FORBIDDEN, "template_needs_larger_machine", "the free tier grants");
    }

    @Test
    void aKnownTemplateIsLetThrough() {
        assertLetThrough(post(withProject(",\"template\":\"react\"")));
    }

    @Test
    void theTemplatesAreListedForAnyCallerWithTheirVersionsAndMainFile() {
        MvcTestResult result = mvc.get().uri("/v1/templates").header(HttpHeaders.AUTHORIZATION, bearer(TOKEN)).exchange();

        assertThat(result).hasStatusOk();
        assertThat(result).bodyJson().extractingPath("$.templates[0].name").isEqualTo("react");
        assertThat(result).bodyJson().extractingPath("$.templates[0].framework").asString().contains("React");
        assertThat(result).bodyJson().extractingPath("$.templates[0].mainFile").isEqualTo("src/App.jsx");
        assertThat(result).bodyJson().extractingPath("$.templates[0].versions.react").asString().matches("[0-9]+\\.[0-9]+\\.[0-9]+");
        assertThat(result).bodyJson().extractingPath("$.templates[0].description").asString().isNotBlank();
        assertThat(result).bodyJson().extractingPath("$.templates[0].minimumMachine").isNull();
        assertThat(result).bodyJson().extractingPath("$.templates[*].name")
                .isEqualTo(java.util.List.of("react", "vue", "svelte", "next", "react-native"));
        assertThat(result).bodyJson().extractingPath("$.templates[3].minimumMachine").isEqualTo("shared-cpu-1x:1024MB");
        assertThat(result).bodyJson().doesNotHavePath("$.templates[0].files");
    }

    @Test
    void theTemplatesAreNotListedWithoutAToken() {
        assertProblem(mvc.get().uri("/v1/templates").exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated",
                "a bearer token is required");
    }

    @Test
    void oversizedBodyIsRefused() {
        String padding = " ".repeat(1024);

        assertProblem(post(withProject("") + padding), HttpStatus.CONTENT_TOO_LARGE, "body_too_large",
                "at most 1024 bytes");
    }

    @Test
    void bodyThatIsNotJsonIsUnsupported() {
        MvcTestResult result = mvc.post().uri("/v1/sessions").header(HttpHeaders.AUTHORIZATION, bearer(TOKEN))
                .contentType(MediaType.TEXT_PLAIN).content("projectId=" + PROJECT).exchange();

        assertProblem(result, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "text/plain");
    }

    @Test
    void malformedIdempotencyKeyIsRefused() {
        MvcTestResult result = mvc.post().uri("/v1/sessions").header(HttpHeaders.AUTHORIZATION, bearer(TOKEN))
                .header(PreviewHeaders.IDEMPOTENCY_KEY, "two words").contentType(MediaType.APPLICATION_JSON)
                .content(withProject("")).exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_idempotency_key",
                "Idempotency-Key must be 1-255 visible ASCII characters");
    }

    @Test
    void readOfAnIdThatIsNotAUuidIsRefused() {
        MvcTestResult result = mvc.get().uri("/v1/sessions/{id}", "abc").header(HttpHeaders.AUTHORIZATION, bearer(TOKEN))
                .exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_session_id", "session id must be a UUID");
    }

    @Test
    void deleteOfAnIdThatIsNotAUuidIsRefused() {
        MvcTestResult result = mvc.delete().uri("/v1/sessions/{id}", "not-a-session")
                .header(HttpHeaders.AUTHORIZATION, bearer(TOKEN)).exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_session_id", "session id must be a UUID");
    }

    @Test
    void readWhileTheViewIsLoadingAsksToRetry() {
        MvcTestResult result = mvc.get().uri("/v1/sessions/{id}", UUID.randomUUID())
                .header(HttpHeaders.AUTHORIZATION, bearer(TOKEN)).exchange();

        assertLetThrough(result);
        assertThat(result).headers().hasValue(HttpHeaders.RETRY_AFTER, "1");
    }

    @Test
    void listingWithAnUnknownStatusIsRefusedListingTheStatuses() {
        MvcTestResult result = mvc.get().uri("/v1/sessions?status=RUNNING").header(HttpHeaders.AUTHORIZATION, bearer(TOKEN))
                .exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_status",
                "status must be one of [REQUESTED, PROVISIONING, STARTING, ACTIVE, SUSPENDED, STOPPING, TERMINATED, FAILED]");
    }

    @Test
    void listingWithALimitOutOfRangeIsRefused() {
        MvcTestResult result = mvc.get().uri("/v1/sessions?limit=501").header(HttpHeaders.AUTHORIZATION, bearer(TOKEN))
                .exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_limit", "limit must be a whole number from 1 to 500");
    }

    @Test
    void unknownPathIsAProblemToo() {
        MvcTestResult result = mvc.get().uri("/v1/nothing-here").header(HttpHeaders.AUTHORIZATION, bearer(TOKEN)).exchange();

        assertProblem(result, HttpStatus.NOT_FOUND, "not_found", "No endpoint GET /v1/nothing-here");
    }

    @Test
    void adminEndpointsAreForbiddenToCallersWithoutTheAdminRole() {
        MvcTestResult listing = mvc.get().uri("/v1/admin/sessions").header(HttpHeaders.AUTHORIZATION, bearer(TOKEN))
                .exchange();
        assertProblem(listing, HttpStatus.FORBIDDEN, "forbidden", "this endpoint needs the 'admin' role");
        assertThat(listing).headers().containsHeader(HttpHeaders.WWW_AUTHENTICATE);
        assertThat(listing.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE)).contains("insufficient_scope");

        MvcTestResult delete = mvc.delete().uri("/v1/admin/sessions/{id}", UUID.randomUUID())
                .header(HttpHeaders.AUTHORIZATION, bearer(TOKEN)).exchange();
        assertThat(delete).hasStatus(HttpStatus.FORBIDDEN);
        assertThat(delete).bodyJson().extractingPath("$.code").isEqualTo("forbidden");
    }

    @Test
    void adminEndpointsAreOpenToCallersWithTheAdminRole() {
        String admin = TestTokens.admin("ops-1");

        assertLetThrough(mvc.get().uri("/v1/admin/sessions?user=user-1&status=active")
                .header(HttpHeaders.AUTHORIZATION, bearer(admin)).exchange());
    }

    @Test
    void adminListingForAMalformedUserIsRefused() {
        MvcTestResult result = mvc.get().uri("/v1/admin/sessions?user=bob smith")
                .header(HttpHeaders.AUTHORIZATION, bearer(TestTokens.admin("ops-1"))).exchange();

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_user", "user must be a user id");
    }

    @Test
    void adminEndpointsWithoutATokenAreUnauthorizedNotForbidden() {
        assertProblem(mvc.get().uri("/v1/admin/sessions").exchange(), HttpStatus.UNAUTHORIZED, "unauthenticated",
                "a bearer token is required");
    }

    private MvcTestResult extend(String body) {
        return mvc.post().uri("/v1/sessions/{id}/extend", UUID.randomUUID()).header(HttpHeaders.AUTHORIZATION, bearer(TOKEN))
                .contentType(MediaType.APPLICATION_JSON).content(body).exchange();
    }

    @Test
    void extendWithATtlThatIsNotOneIsRefusedNamingTheRule() {
        MvcTestResult result = extend("{\"ttl\":\"tomorrow\"}");

        assertProblem(result, HttpStatus.BAD_REQUEST, "invalid_ttl",
                "ttl must be an ISO-8601 duration (\"PT45M\") or a whole number of seconds, at least 60 seconds");
        assertThat(result).bodyJson().extractingPath("$.field").isEqualTo("ttl");
    }

    @Test
    void extendWithAnUnknownFieldOrWithoutAttlIsRefused() {
        assertProblem(extend("{\"ttl\":600,\"until\":\"never\"}"), HttpStatus.BAD_REQUEST, "unknown_field",
                "unknown field 'until'; accepted fields are ttl");
        registry.clear();
        assertProblem(extend("{\"ttl\":null}"), HttpStatus.BAD_REQUEST, "missing_field", "ttl is required");
        registry.clear();
        assertProblem(extend(""), HttpStatus.BAD_REQUEST, "missing_body", "{\"ttl\": \"PT30M\"}");
    }

    @Test
    void extendWithAValidTtlNeedsTheViewToCheckOwnershipAndTheCap() {
        assertLetThrough(extend("{\"ttl\":\"PT10M\"}"));
        registry.clear();
        assertLetThrough(extend("{\"ttl\":600}"));
    }
}
