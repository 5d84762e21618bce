package dev.velocitypreview.sessions.api;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.sessions.identity.Caller;

/**
 * The client's name for one create request. The session id is derived from the caller and the
 * key alone, so any instance, at any time, maps a retry to the same session without shared state.
 */
record IdempotencyKey(String value) {

    static final int MAX_LENGTH = 255;

    IdempotencyKey {
        if (value.isEmpty() || value.length() > MAX_LENGTH || !visibleAscii(value)) {
            throw new IllegalArgumentException(PreviewHeaders.IDEMPOTENCY_KEY
                    + " must be 1-" + MAX_LENGTH + " visible ASCII characters");
        }
    }

    /** @return null when the header is absent; @throws ApiProblem 400 when it is malformed */
    static @Nullable IdempotencyKey from(@Nullable String header) {
        if (header == null) {
            return null;
        }
        try {
            return new IdempotencyKey(header);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("invalid_idempotency_key", e.getMessage());
        }
    }

    /** A name-based UUID of the caller and the key; user ids cannot contain a line feed, so no two pairs collide. */
    UUID sessionIdFor(Caller caller) {
        return UUID.nameUUIDFromBytes((caller.userId() + "\n" + value).getBytes(StandardCharsets.UTF_8));
    }

    private static boolean visibleAscii(String value) {
        return value.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }
}
