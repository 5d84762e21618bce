package dev.velocitypreview.provisioner.commands;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;

import dev.velocitypreview.core.command.SessionCommand;

/**
 * Applies one command that was read and checked: one method per kind of command this provisioner acts
 * on. A kind without a method here is dead-lettered by the {@link CommandProcessor} before it reaches a
 * handler, never committed as if it had been applied; handling one more kind is a new method here and a
 * case in the processor's switch over every kind.
 *
 * <p>Called on a worker thread. Calls for one session never overlap and come in topic order;
 * calls for different sessions run concurrently. A command may be delivered more than once
 * (redelivery after a crash or rebalance), so applying it again must leave the same result.
 *
 * <p>Returning means the command is done with (applied, or recorded on the session as failed)
 * and its offset may be committed. Throwing means it could neither be applied nor recorded; the
 * record then goes to the dead-letter topic, except for a {@link java.util.concurrent.CancellationException}
 * (shutdown), which leaves the record uncommitted so it is delivered again, and a failure that
 * {@link #isDatabaseUnavailable says the database is unreachable}: the command is then handled again
 * once the database answers. A handler must throw such a failure rather than record it on the
 * session: an outage is nobody's session's fault.
 */
public interface CommandHandler {

    /** A failure that says the database cannot be reached right now, not that the command is wrong. */
    static boolean isDatabaseUnavailable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TransientDataAccessException || cause instanceof DataAccessResourceFailureException
                    || cause instanceof SQLTransientException || cause instanceof SQLRecoverableException) {
                return true;
            }
            // PostgreSQL: class 08 is "connection exception", 57P01-03 the server shutting down
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts the session: its row with what the tier granted, then its machine, until the session is ACTIVE.
     *
     * @return what became of the command, for metrics and logs
     */
    Outcome create(SessionCommand.Create command);

    /**
     * Ends the session: its machine destroyed, its row TERMINATED with the command's reason.
     *
     * @return what became of the command, for metrics and logs
     */
    Outcome terminate(SessionCommand.Terminate command);

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
