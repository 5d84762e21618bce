package dev.velocitypreview.sessions.command;

import dev.velocitypreview.core.command.SessionCommand;

/** Kafka did not confirm a command in time; the client must not be told it was accepted. */
public final class CommandNotAcknowledgedException extends RuntimeException {

    private final transient SessionCommand command;

    public CommandNotAcknowledgedException(SessionCommand command, String message, Throwable cause) {
        super(message, cause);
        this.command = command;
    }

    public SessionCommand command() {
        return command;
    }
}
