package dev.velocitypreview.core.access;

import java.util.Objects;
import java.util.UUID;

/**
 * The {@code state} a router's {@code fly-replay} carries for one session, and the only one that session's machine
 * accepts: HMAC-SHA256 of the session id under the deployment's replay secret, in hex (64 characters). A machine is
 * given its own session's state and never the secret, so project code that finds it (it runs beside the runtime, as
 * the same user) can reach no machine but its own, which it already runs on.
 */
public final class SessionReplayState {

    private SessionReplayState() {
    }

    public static String of(String secret, UUID sessionId) {
        Objects.requireNonNull(sessionId, "sessionId == null");
        return Hmac.hex(secret, sessionId.toString());
    }
}
