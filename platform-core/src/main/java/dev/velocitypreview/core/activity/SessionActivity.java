package dev.velocitypreview.core.activity;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A router saw a session in use: it proxied a request for it, or holds a WebSocket of it open.
 * Published on {@code preview.session-activity} keyed by the session id, at most one record per
 * session every few seconds per router; cleanup suspends a session none has seen for its idle timeout.
 *
 * @param seenAt when the router last saw the session in use
 */
public record SessionActivity(UUID sessionId, Instant seenAt) {

    public SessionActivity {
        Objects.requireNonNull(sessionId, "sessionId is required");
        Objects.requireNonNull(seenAt, "seenAt is required");
    }
}
