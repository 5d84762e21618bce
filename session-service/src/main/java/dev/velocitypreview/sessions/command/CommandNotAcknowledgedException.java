package dev.velocitypreview.sessions.command;

import dev.velocitypreview.core.command.SessionCommand;

/** Kafka did not confirm a command in time; the client must not be told it was accepted. */
public final class CommandNotAcknowledgedException extends RuntimeException {

    /** @param command what was not acknowledged; its session id and type are part of the message */
    public CommandNotAcknowledgedException(SessionCommand command, String message, Throwable cause) {
        super(command.type() + " of session " + command.sessionId() + ": " + message, cause);
    }
}
