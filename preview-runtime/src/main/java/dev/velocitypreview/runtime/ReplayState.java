package dev.velocitypreview.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.regex.Pattern;

import dev.velocitypreview.core.http.PreviewHeaders;

/**
 * The secret the router sends as {@code state=} in every {@code fly-replay} ({@code velocity.router.fly.replay-state}).
 * Fly's proxy hands it to the machine in {@value PreviewHeaders#FLY_REPLAY_SOURCE}
 * ({@code instance=...;region=...;t=...;state=...}), so a machine given the same secret serves only requests the
 * router let through, not ones that reached it some other way (the private network, a stray public address).
 */
final class ReplayState {

    /** As the router requires: nothing that could end a field of the header. */
    static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{32,256}");
    static final String SHAPE_TEXT = "32 to 256 of A-Z a-z 0-9 _ -";

    private static final String FIELD = PreviewHeaders.FLY_REPLAY_STATE + "=";

    private final byte[] expected;

    /** @throws IllegalArgumentException when {@code secret} is not of {@link #SHAPE}; the message never quotes it */
    ReplayState(String secret) {
        if (secret == null || !SHAPE.matcher(secret).matches()) {
            throw new IllegalArgumentException("replay state must be " + SHAPE_TEXT + ", got "
                    + (secret == null ? "none" : secret.length() + " characters"));
        }
        this.expected = secret.getBytes(StandardCharsets.US_ASCII);
    }

    /** True when one of the request's {@value PreviewHeaders#FLY_REPLAY_SOURCE} values carries the secret. */
    boolean presentIn(List<String> replaySources) {
        if (replaySources == null) {
            return false;
        }
        boolean found = false;
        for (String header : replaySources) {
            for (String field : header.split(";")) {
                String trimmed = field.trim();
                if (trimmed.startsWith(FIELD)) {
                    // every candidate compared, in constant time, so timing tells nothing about the secret
                    found |= MessageDigest.isEqual(expected, trimmed.substring(FIELD.length()).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return found;
    }

    /** A {@value PreviewHeaders#FLY_REPLAY_SOURCE} value that passes: for the runtime's own requests through its front. */
    String replaySource() {
        return FIELD + new String(expected, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "ReplayState[******]";
    }
}
