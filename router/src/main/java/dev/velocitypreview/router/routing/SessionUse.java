package dev.velocitypreview.router.routing;

import java.util.UUID;

/**
 * Told when a request is forwarded to a session's machine and when its forward ended (for a WebSocket: when the
 * relay closed), so that a session is seen in use for as long as anything of it is open.
 *
 * <p>Called on reactor threads, on the request path: must not block and must not throw; {@link #ended} follows
 * every {@link #began}, on any thread.
 */
public interface SessionUse {

    void began(UUID sessionId);

    void ended(UUID sessionId);
}
