package dev.velocitypreview.router.routing;

import java.util.UUID;

/** A session's machine could not be reached; nothing was written to the client yet. */
public final class MachineUnreachableException extends RuntimeException {

    private final UUID sessionId;

    public MachineUnreachableException(UUID sessionId, Throwable cause) {
        super("machine of session " + sessionId + " is unreachable: " + cause.getMessage(), cause);
        this.sessionId = sessionId;
    }

    public UUID sessionId() {
        return sessionId;
    }
}
