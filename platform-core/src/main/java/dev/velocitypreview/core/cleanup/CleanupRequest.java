package dev.velocitypreview.core.cleanup;

import java.time.Instant;
import java.util.Objects;

/**
 * Ask cleanup for a full pass now (expiry, idle, orphans, retention) instead of waiting for its
 * schedule. Sent to every partition of {@code preview.cleanup-requests}; each partition's owner answers
 * with a {@link CleanupReport} on the reply topic the request names (spring-kafka's request/reply headers).
 */
public record CleanupRequest(Instant requestedAt) {

    public CleanupRequest {
        Objects.requireNonNull(requestedAt, "requestedAt is required");
    }
}
