package dev.velocitypreview.sessions.command;

import dev.velocitypreview.core.command.SessionCommand;

/**
 * Puts session commands on {@code preview.session-commands}, keyed by the session id.
 *
 * <p>{@link #publish} returns only once the broker has acknowledged the command (stored on all
 * in-sync replicas), so a caller that got no exception may tell its client the command was
 * accepted. Thread-safe; blocks the calling thread for at most the configured send timeout.
 */
public interface CommandPublisher {

    /**
     * @throws CommandNotAcknowledgedException when the broker did not acknowledge within the send
     *                                         timeout, refused the command, or the thread was
     *                                         interrupted (its interrupt flag is then set again);
     *                                         the command may or may not have been stored
     */
    void publish(SessionCommand command);
}
