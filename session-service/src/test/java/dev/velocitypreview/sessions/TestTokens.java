package dev.velocitypreview.sessions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.sessions.identity.DevTokens;

/** Bearer tokens for tests: well-formed ones through {@link DevTokens}, odd ones built by hand with Nimbus. */
public final class TestTokens {

    /** The HS256 secret the tests configure; 44 bytes. */
    public static final String SECRET = "session-service-test-secret-0123456789abcdef";
    /** The preview token secret the tests configure; 45 bytes. */
    public static final String PREVIEW_SECRET = "preview-token-test-secret-0123456789abcdefghi";

    private TestTokens() {
    }

    public static String user(String userId) {
        return user(userId, Tier.FREE);
    }

    public static String user(String userId, Tier tier) {
        return DevTokens.mint(SECRET, userId, List.of(), tier, Duration.ofMinutes(10));
    }

    public static String admin(String userId) {
        return DevTokens.mint(SECRET, userId, List.of("admin"), Tier.FREE, Duration.ofMinutes(10));
    }

    /** A free-tier token carrying exactly {@code roles}, such as a scraper's {@code metrics}. */
    public static String withRoles(String userId, String... roles) {
        return DevTokens.mint(SECRET, userId, List.of(roles), Tier.FREE, Duration.ofMinutes(10));
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    /** Claims of a token for {@code userId} that expires in ten minutes, to adjust before signing. */
    public static JWTClaimsSet.Builder claims(String userId) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(userId).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))));
    }

    public static String signed(String secret, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a test token", e);
        }
        return jwt.serialize();
    }

    public static String signed(JWTClaimsSet claims) {
        return signed(SECRET, claims);
    }

    /** A token with {@code "alg": "none"}. */
    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }
}
