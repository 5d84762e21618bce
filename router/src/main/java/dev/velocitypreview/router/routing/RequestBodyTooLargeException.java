package dev.velocitypreview.router.routing;

import java.util.UUID;

/**
 * A {@link PreviewForwarder} cannot carry a request whose body is this large; nothing was written yet, and the
 * router answers 413.
 */
public final class RequestBodyTooLargeException extends RuntimeException {

    private final UUID sessionId;
    private final long limitBytes;

    /** @param limitBytes the largest body the forwarder carries */
    public RequestBodyTooLargeException(UUID sessionId, long limitBytes) {
        super("the request body for session " + sessionId + " is over the " + limitBytes + "-byte limit");
        this.sessionId = sessionId;
        this.limitBytes = limitBytes;
    }

    public UUID sessionId() {
        return sessionId;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
