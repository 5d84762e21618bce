package dev.velocitypreview.sessions.api;

import static dev.velocitypreview.sessions.TestTokens.bearer;
import static dev.velocitypreview.sessions.TestTokens.claims;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

import dev.velocitypreview.sessions.TestTokens;

/**
 * Production mode: tokens signed by an identity provider whose public keys are published as a
 * JWK set (RS256 and ES256, as Supabase and most providers use). The provider here is a local
 * HTTP server publishing two keys.
 */
@WebMvcTest(controllers = SessionController.class, properties = "spring.config.name=session-service")
@Import(ApiSlice.class)
class JwkSetTokenTest {

    private static final RSAKey RSA = generateRsa();
    private static final ECKey EC = generateEc();
    private static final HttpServer PROVIDER = publish(new JWKSet(java.util.List.of(RSA.toPublicJWK(), EC.toPublicJWK())));

    @Autowired
    MockMvcTester mvc;

    @DynamicPropertySource
    static void provider(DynamicPropertyRegistry registry) {
        registry.add("velocity.session-service.auth.jwks-uri",
                () -> "http://127.0.0.1:" + PROVIDER.getAddress().getPort() + "/.well-known/jwks.json");
    }

    @AfterAll
    static void stopProvider() {
        PROVIDER.stop(0);
    }

    private MvcTestResult listWith(String token) {
        return mvc.get().uri("/v1/sessions").header(HttpHeaders.AUTHORIZATION, bearer(token)).exchange();
    }

    @Test
    void tokenSignedWithThePublishedRsaKeyIsLetThrough() {
        String token = sign(new RSASSASigner(signer(RSA)), JWSAlgorithm.RS256, RSA.getKeyID());

        // the view is loading: a 503 from the handler means authentication succeeded
        assertThat(listWith(token)).hasStatus(HttpStatus.SERVICE_UNAVAILABLE);
    }

    @Test
    void tokenSignedWithThePublishedEcKeyIsLetThrough() {
        String token = sign(ecSigner(EC), JWSAlgorithm.ES256, EC.getKeyID());

        assertThat(listWith(token)).hasStatus(HttpStatus.SERVICE_UNAVAILABLE);
    }

    @Test
    void tokenSignedWithAnUnpublishedKeyUnderAPublishedKeyIdIsRefused() {
        RSAKey impostor = generateRsa();
        String token = sign(new RSASSASigner(signer(impostor)), JWSAlgorithm.RS256, RSA.getKeyID());

        MvcTestResult result = listWith(token);

        assertThat(result).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(result).bodyJson().extractingPath("$.detail").asString().contains("its signature does not verify");
    }

    @Test
    void hs256TokenIsRefusedWhenKeysComeFromAJwkSet() {
        MvcTestResult result = listWith(TestTokens.user("user-1"));

        assertThat(result).hasStatus(HttpStatus.UNAUTHORIZED);
        assertThat(result).bodyJson().extractingPath("$.code").isEqualTo("invalid_token");
    }

    private static String sign(JWSSigner signer, JWSAlgorithm algorithm, String keyId) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(keyId).build(), claims("user-1").build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a test token", e);
        }
        return jwt.serialize();
    }

    private static java.security.PrivateKey signer(RSAKey key) {
        try {
            return key.toPrivateKey();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWSSigner ecSigner(ECKey key) {
        try {
            return new ECDSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey generateRsa() {
        try {
            return new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey generateEc() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpServer publish(JWKSet keys) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            byte[] body = keys.toString(true).getBytes(StandardCharsets.UTF_8);
            server.createContext("/.well-known/jwks.json", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
