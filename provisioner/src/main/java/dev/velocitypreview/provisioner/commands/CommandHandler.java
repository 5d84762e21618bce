package dev.velocitypreview.provisioner.commands;

import dev.velocitypreview.core.command.SessionCommand;

/**
 * Applies one command that was read and checked.
 *
 * <p>Called on a worker thread. Calls for one session never overlap and come in topic order;
 * calls for different sessions run concurrently. A command may be delivered more than once
 * (redelivery after a crash or rebalance), so applying it again must leave the same result.
 *
 * <p>Returning means the command is done with (applied, or recorded on the session as failed)
 * and its offset may be committed. Throwing means it could neither be applied nor recorded; the
 * record then goes to the dead-letter topic, except for a {@link java.util.concurrent.CancellationException}
 * (shutdown), which leaves the record uncommitted so it is delivered again.
 */
public interface CommandHandler {

    /** @return what became of the command, for metrics and logs */
    Outcome handle(SessionCommand command);

    /** What became of a command. */
    enum Outcome {
        /** The session changed as asked. */
        APPLIED,
        /** Nothing to do: the session is already where the command would take it, or unknown. */
        SKIPPED,
        /** The command could not be applied; the session was written FAILED with the error. */
        FAILED;

        /** The metric tag value. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
