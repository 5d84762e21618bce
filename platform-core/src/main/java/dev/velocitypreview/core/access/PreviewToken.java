package dev.velocitypreview.core.access;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A short-lived capability to open one private session's preview: {@code v1.<session>.<expiry>.<mac>},
 * the MAC being HMAC-SHA256 over {@code v1.<session>.<expiry>} with a secret the session service
 * (which mints tokens) and the routers (which check them) share. Checking needs no database.
 */
public final class PreviewToken {

    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    /** Shorter secrets make the MAC guessable offline. */
    public static final int MIN_SECRET_BYTES = 32;

    private final byte[] secret;

    /** @throws IllegalArgumentException when the secret is shorter than {@value #MIN_SECRET_BYTES} bytes */
    public PreviewToken(String secret) {
        Objects.requireNonNull(secret, "preview token secret == null");
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("preview token secret must be at least " + MIN_SECRET_BYTES
                    + " bytes, got " + bytes.length);
        }
        this.secret = bytes;
    }

    /** A token for {@code session} valid until {@code expiresAt}. */
    public String mint(UUID session, Instant expiresAt) {
        String payload = VERSION + "." + session + "." + expiresAt.getEpochSecond();
        return payload + "." + mac(payload);
    }

    public String mint(UUID session, Instant now, Duration ttl) {
        return mint(session, now.plus(ttl));
    }

    /** Why a token was not accepted; {@link #VALID} when it was. */
    public enum Check {
        VALID, MALFORMED, WRONG_SESSION, EXPIRED, BAD_SIGNATURE
    }

    /** Checks {@code token} for {@code session} at {@code now}; never throws on hostile input. */
    public Check check(String token, UUID session, Instant now) {
        if (token == null || token.length() > 200) {
            return Check.MALFORMED;
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            return Check.MALFORMED;
        }
        long expiry;
        try {
            expiry = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return Check.MALFORMED;
        }
        String payload = parts[0] + "." + parts[1] + "." + parts[2];
        byte[] expected = mac(payload).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[3].getBytes(StandardCharsets.US_ASCII))) {
            return Check.BAD_SIGNATURE;
        }
        if (!parts[1].equals(session.toString())) {
            return Check.WRONG_SESSION;
        }
        if (now.getEpochSecond() >= expiry) {
            return Check.EXPIRED;
        }
        return Check.VALID;
    }

    /** The expiry a well-formed token carries, for cookie lifetimes; null when malformed. */
    public static Instant expiryOf(String token) {
        String[] parts = token == null ? new String[0] : token.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private String mac(String payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
