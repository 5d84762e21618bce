package dev.velocitypreview.core.access;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code state} a router's {@code fly-replay} carries for one session, and the only one that session's machine
 * accepts: HMAC-SHA256 of the session id under the deployment's replay secret, in hex (64 characters). A machine is
 * given its own session's state and never the secret, so project code that finds it (it runs beside the runtime, as
 * the same user) can reach no machine but its own, which it already runs on.
 */
public final class SessionReplayState {

    private static final String ALGORITHM = "HmacSHA256";

    private SessionReplayState() {
    }

    public static String of(String secret, UUID sessionId) {
        Objects.requireNonNull(secret, "secret == null");
        Objects.requireNonNull(sessionId, "sessionId == null");
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return HexFormat.of().formatHex(mac.doFinal(sessionId.toString().getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
