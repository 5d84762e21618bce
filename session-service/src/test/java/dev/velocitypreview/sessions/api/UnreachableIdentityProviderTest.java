package dev.velocitypreview.sessions.api;

import static dev.velocitypreview.sessions.TestTokens.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;

import dev.velocitypreview.sessions.TestTokens;

/** When the JWK set cannot be fetched, a token cannot be checked: 503 problem, never a 500 or a 401. */
@WebMvcTest(controllers = SessionController.class, properties = "spring.config.name=session-service")
@Import(ApiSlice.class)
class UnreachableIdentityProviderTest {

    @Autowired
    MockMvcTester mvc;

    @DynamicPropertySource
    static void provider(DynamicPropertyRegistry registry) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        registry.add("velocity.session-service.auth.jwks-uri", () -> "http://127.0.0.1:" + closedPort + "/jwks.json");
    }

    @Test
    void tokenThatCannotBeCheckedIsAnsweredWithRetryLater() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                TestTokens.claims("user-1").build());
        jwt.sign(new RSASSASigner(new RSAKeyGenerator(2048).keyID("rsa-1").generate()));

        MvcTestResult result = mvc.get().uri("/v1/sessions").header(HttpHeaders.AUTHORIZATION, bearer(jwt.serialize()))
                .exchange();

        assertThat(result).hasStatus(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(result).hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(result).bodyJson().extractingPath("$.code").isEqualTo("identity_unavailable");
        assertThat(result).headers().hasValue(HttpHeaders.RETRY_AFTER, "5");
    }
}
