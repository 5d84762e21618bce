package dev.velocitypreview.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;

/**
 * The claim token of a warm pool's machine ({@code --pool-token}, {@code PREVIEW_POOL_TOKEN}): the provisioner chose it
 * for this place in its pool, and only a claim presenting it as {@code Authorization: Bearer <token>} is taken
 * ({@link PoolClaim}). A secret: never shown, compared in constant time.
 */
final class PoolToken {

    static final int MIN_LENGTH = 16;
    static final String SHAPE_TEXT = "at least " + MIN_LENGTH + " visible ASCII characters, no spaces";

    private static final String BEARER = "bearer ";

    private final byte[] expected;

    /** @throws IllegalArgumentException when {@code token} is not of the shape; the message never quotes it */
    PoolToken(String token) {
        if (token == null || token.length() < MIN_LENGTH || !token.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("pool token must be " + SHAPE_TEXT + ", got "
                    + (token == null ? "none" : token.length() + " characters"));
        }
        this.expected = token.getBytes(StandardCharsets.US_ASCII);
    }

    /** True when the request's one {@code Authorization} value is {@code Bearer <this token>}. */
    boolean acceptsAuthorization(List<String> authorization) {
        if (authorization == null || authorization.size() != 1) {
            return false;
        }
        String value = authorization.get(0).strip();
        if (value.length() <= BEARER.length() || !value.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return false;
        }
        // constant time: how long the answer takes tells nothing about the token
        return MessageDigest.isEqual(expected, value.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "PoolToken[******]";
    }
}
