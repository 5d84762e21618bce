package dev.velocitypreview.core.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.UUID;

/**
 * The bearer token a preview machine presents when it syncs its session's files from the platform: HMAC-SHA256 of
 * {@code "sync:" + session id} under the deployment's sync secret, in hex. The provisioner gives each machine its own
 * session's token, never the secret; the session API recomputes it to check a sync. Project code that reads it from
 * the runtime's environment can fetch only files its session already has and report only on its own session. The
 * prefix keeps it from ever equalling the session's replay state, even under one secret.
 */
public final class SessionSyncToken {

    private static final String PREFIX = "sync:";

    private SessionSyncToken() {
    }

    public static String of(String secret, UUID sessionId) {
        Objects.requireNonNull(sessionId, "sessionId == null");
        return Hmac.hex(secret, PREFIX + sessionId);
    }

    /** True when {@code presented} is the token of {@code sessionId}; compares in constant time. */
    public static boolean matches(String secret, UUID sessionId, String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(of(secret, sessionId).getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
