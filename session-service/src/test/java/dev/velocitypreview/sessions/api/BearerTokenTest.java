package dev.velocitypreview.sessions.api;

import static dev.velocitypreview.sessions.TestTokens.bearer;
import static dev.velocitypreview.sessions.TestTokens.claims;
import static dev.velocitypreview.sessions.TestTokens.signed;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.velocitypreview.sessions.LogCapture;
import dev.velocitypreview.sessions.TestTokens;

/**
 * Which bearer tokens get in, with an issuer, an audience and nested claims configured the way a
 * Supabase project would be. Every refusal is a 401 problem with {@code WWW-Authenticate: Bearer},
 * and the token appears neither in the answer nor in the logs.
 */
@WebMvcTest(controllers = {SessionController.class, AdminSessionController.class}, properties = {
        "spring.config.name=session-service",
        "velocity.session-service.auth.hs256-secret=" + TestTokens.SECRET,
        "velocity.session-service.auth.issuer=" + BearerTokenTest.ISSUER,
        "velocity.session-service.auth.audience=" + BearerTokenTest.AUDIENCE,
        "velocity.session-service.auth.roles-claim=app_metadata.roles",
        "velocity.session-service.auth.tier-claim=app_metadata.tier"})
@Import(ApiSlice.class)
class BearerTokenTest {

    static final String ISSUER = "https://id.example.test/auth/v1";
    static final String AUDIENCE = "authenticated";

    @Autowired
    MockMvcTester mvc;
    @Autowired
    RecordingCommandPublisher publisher;

    private static JWTClaimsSet.Builder valid(String user) {
        return claims(user).issuer(ISSUER).audience(AUDIENCE);
    }

    private MvcTestResult listWith(String authorization) {
        return mvc.get().uri("/v1/sessions").header(HttpHeaders.AUTHORIZATION, authorization).exchange();
    }

    /** 401, problem+json, a Bearer challenge naming the error, and no trace of the token anywhere. */
    private void assertRefused(String token, String reasonContains) throws Exception {
        MvcTestResult result;
        List<String> logged;
        try (LogCapture logs = new LogCapture()) {
            result = listWith(bearer(token));
            logged = logs.events();
        }
        assertThat(result).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(result).hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result).bodyJson().extractingPath("$.code").isEqualTo("invalid_token");
        assertThat(result).bodyJson().extractingPath("$.type").isEqualTo("urn:velocity-preview:problem:invalid-token");
        assertThat(result).bodyJson().extractingPath("$.detail").asString()
                .startsWith("the bearer token was refused: ").contains(reasonContains);
        String challenge = result.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE);
        assertThat(challenge).startsWith("Bearer realm=\"velocity-preview\", error=\"invalid_token\", error_description=\"")
                .contains(reasonContains);
        String signature = token.substring(token.lastIndexOf('.') + 1);
        for (String secretPart : List.of(token, token.substring(0, Math.min(token.length(), 30)))) {
            assertThat(result.getResponse().getContentAsString()).doesNotContain(secretPart);
            assertThat(challenge).doesNotContain(secretPart);
            assertThat(logged).noneMatch(line -> line.contains(secretPart));
        }
        if (signature.length() >= 16) {
            assertThat(logged).noneMatch(line -> line.contains(signature));
        }
        assertThat(publisher.published()).isEmpty();
    }

    @Test
    void validTokenWithIssuerAudienceAndNestedClaimsIsLetThrough() throws Exception {
        String token = signed(valid("user-1").claim("app_metadata", Map.of("tier", "pro")).build());

        // the view is loading: a 503 from the handler means authentication succeeded
        MvcTestResult result = listWith(bearer(token));

        assertThat(result).hasStatus(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(result).bodyJson().extractingPath("$.code").isEqualTo("view_not_ready");
    }

    @Test
    void tokenThatIsNotAJwtIsRefused() throws Exception {
        assertRefused("not-a-jwt-at-all-but-long-enough-to-search-for", "it is not a well-formed JWT");
    }

    @Test
    void tokenWithAGarbledPayloadIsRefused() throws Exception {
        String token = signed(valid("user-1").build());
        String[] parts = token.split("\\.");

        // "bm90LWpzb24" is "not-json" in base64url
        assertRefused(parts[0] + ".bm90LWpzb24." + parts[2], "not a well-formed JWT");
    }

    @Test
    void tokenWithCharactersNoTokenHasIsRefused() throws Exception {
        assertRefused(signed(valid("user-1").build()) + "!!", "Bearer token is malformed");
    }

    @Test
    void tokenSignedWithAnotherSecretIsRefused() throws Exception {
        String token = signed("another-secret-of-at-least-32-bytes-long!", valid("user-1").build());

        assertRefused(token, "its signature does not verify");
    }

    @Test
    void tokenWithATamperedClaimIsRefused() throws Exception {
        String honest = signed(valid("user-1").build());
        String forged = signed("another-secret-of-at-least-32-bytes-long!",
                valid("user-1").claim("app_metadata", Map.of("roles", List.of("admin"))).build());
        String[] parts = honest.split("\\.");

        assertRefused(parts[0] + "." + forged.split("\\.")[1] + "." + parts[2], "its signature does not verify");
    }

    @Test
    void unsignedTokenIsRefused() throws Exception {
        assertRefused(TestTokens.unsigned(valid("user-1").build()), "unsigned tokens are not accepted");
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        Instant past = Instant.now().minus(Duration.ofHours(1));
        String token = signed(valid("user-1").issueTime(Date.from(past.minusSeconds(600)))
                .expirationTime(Date.from(past)).build());

        assertRefused(token, "Jwt expired at");
    }

    @Test
    void tokenNotValidYetIsRefused() throws Exception {
        String token = signed(valid("user-1").notBeforeTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build());

        assertRefused(token, "Jwt used before");
    }

    @Test
    void tokenThatNeverExpiresIsRefused() throws Exception {
        String token = signed(valid("user-1").expirationTime(null).build());

        assertRefused(token, "the token must expire");
    }

    @Test
    void tokenOfAnotherIssuerIsRefused() throws Exception {
        assertRefused(signed(valid("user-1").issuer("https://evil.example.test").build()), "iss");
    }

    @Test
    void tokenWithoutTheAudienceIsRefused() throws Exception {
        assertRefused(signed(valid("user-1").audience("someone-else").build()), "aud");
    }

    @Test
    void tokenWhoseSubjectIsNotAUserIdIsRefused() throws Exception {
        assertRefused(signed(valid("bob smith").build()), "the sub claim must be a user id");
        assertRefused(signed(valid("user-1").subject(null).build()), "the sub claim must be a user id");
    }

    @Test
    void tokenWithAnUnknownTierIsRefused() throws Exception {
        assertRefused(signed(valid("user-1").claim("app_metadata", Map.of("tier", "platinum")).build()),
                "the app_metadata.tier claim must be one of free, pro, team");
    }

    @Test
    void tokenWithRolesOfTheWrongShapeIsRefused() throws Exception {
        assertRefused(signed(valid("user-1").claim("app_metadata", Map.of("roles", 42)).build()),
                "the app_metadata.roles claim must be an array of strings or a space-separated string");
    }

    @Test
    void authorizationHeaderThatIsNotABearerTokenIsRefused() throws Exception {
        MvcTestResult result = listWith("Bearer two words");

        assertThat(result).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(result).hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Bearer ");
    }

    @Test
    void basicCredentialsAreNotATokenAtAll() throws Exception {
        MvcTestResult result = listWith("Basic dXNlcjpwYXNzd29yZA==");

        assertThat(result).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(result).bodyJson().extractingPath("$.code").isEqualTo("unauthenticated");
    }

    @Test
    void adminRoleComesFromTheConfiguredClaimAsAnArrayOrASpaceSeparatedString() throws Exception {
        for (Object roles : List.of(List.of("viewer", "admin"), "viewer admin")) {
            String token = signed(valid("ops-1").claim("app_metadata", Map.of("roles", roles)).build());

            MvcTestResult result = mvc.get().uri("/v1/admin/sessions").header(HttpHeaders.AUTHORIZATION, bearer(token))
                    .exchange();

            assertThat(result).as(roles.toString()).hasStatus(HttpStatus.SERVICE_UNAVAILABLE);
        }
    }

    @Test
    void rolesAtTheTopLevelDoNotCountWhenTheClaimIsConfiguredElsewhere() throws Exception {
        String token = signed(valid("ops-1").claim("roles", List.of("admin")).build());

        MvcTestResult result = mvc.get().uri("/v1/admin/sessions").header(HttpHeaders.AUTHORIZATION, bearer(token))
                .exchange();

        assertThat(result).hasStatus(HttpStatus.FORBIDDEN);
    }

    @Test
    void tierComesFromTheTokenSoAProTokenMayAskForAProTtl() throws Exception {
        String pro = signed(valid("user-1").claim("app_metadata", Map.of("tier", "pro")).build());
        String free = signed(valid("user-1").build());
        String body = "{\"projectId\":\"7d7d1b5e-0c1a-4a44-9a55-2c3d4e5f6a7b\",\"ttl\":\"PT2H\"}";

        MvcTestResult asPro = mvc.post().uri("/v1/sessions").header(HttpHeaders.AUTHORIZATION, bearer(pro))
                .contentType(MediaType.APPLICATION_JSON).content(body).exchange();
        MvcTestResult asFree = mvc.post().uri("/v1/sessions").header(HttpHeaders.AUTHORIZATION, bearer(free))
                .contentType(MediaType.APPLICATION_JSON).content(body).exchange();

        assertThat(asPro).hasStatus(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(asFree).hasStatus(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(asFree).bodyJson().extractingPath("$.limit").isEqualTo("PT30M");
    }
}
