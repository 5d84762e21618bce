package dev.velocitypreview.sessions.identity;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import javax.crypto.spec.SecretKeySpec;

import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.UserId;
import dev.velocitypreview.sessions.SessionServiceProperties;

/**
 * Mints HS256 bearer tokens the session service accepts when it runs with
 * {@code velocity.session-service.auth.hs256-secret} and the default claim names ({@code roles},
 * {@code tier}) and no issuer or audience: what the launcher hands out for the embedded default.
 * Not for production, where the identity provider issues tokens.
 */
public final class DevTokens {

    private DevTokens() {
    }

    /** A token for {@code userId} valid from now for {@code ttl}. */
    public static String mint(String secret, String userId, Collection<String> roles, Tier tier, Duration ttl) {
        return mint(secret, userId, roles, tier, Instant.now(), ttl);
    }

    /**
     * @param secret   the configured hs256-secret, at least 32 bytes
     * @param userId   becomes {@code sub}; must be a valid user id
     * @param roles    becomes the {@code roles} claim; {@code admin} opens the admin endpoints
     * @param issuedAt becomes {@code iat}; {@code exp} is {@code issuedAt + ttl}
     * @throws IllegalArgumentException when the secret is too short, the user id malformed or the
     *                                  ttl not positive
     */
    public static String mint(String secret, String userId, Collection<String> roles, Tier tier, Instant issuedAt,
            Duration ttl) {
        Objects.requireNonNull(secret, "secret == null");
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < SessionServiceProperties.Auth.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("secret must be at least " + SessionServiceProperties.Auth.MIN_SECRET_BYTES
                    + " bytes, got " + key.length);
        }
        UserId.require(userId);
        Objects.requireNonNull(tier, "tier == null");
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .subject(userId)
                .issuedAt(issuedAt)
                .expiresAt(issuedAt.plus(ttl))
                .claim("roles", List.copyOf(roles))
                .claim("tier", tier.wireName())
                .build();
        JwsHeader header = JwsHeader.with(MacAlgorithm.HS256).type("JWT").build();
        return NimbusJwtEncoder.withSecretKey(new SecretKeySpec(key, "HmacSHA256")).algorithm(MacAlgorithm.HS256).build()
                .encode(JwtEncoderParameters.from(header, claims)).getTokenValue();
    }
}
