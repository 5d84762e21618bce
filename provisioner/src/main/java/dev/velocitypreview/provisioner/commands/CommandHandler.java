package dev.velocitypreview.provisioner.commands;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;

import dev.velocitypreview.core.command.SessionCommand;

/**
 * Applies one command that was read and checked: one method per kind of command, chosen by the
 * {@link CommandProcessor}'s switch over every kind. Each method decides again from what the session's row and
 * the machine driver say now, not from what the command's publisher saw: a command that no longer fits (a
 * SUSPEND of a session that is not ACTIVE, a PURGE of a live one) changes nothing and says so.
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

    /**
     * Moves the expiry of a session that has not ended to the command's {@code expiresAt}.
     *
     * @return {@link Outcome#REFUSED} for an ended session, {@link Outcome#SKIPPED} when the expiry is already that
     */
    Outcome extend(SessionCommand.Extend command);

    /**
     * Suspends an ACTIVE session: its machine suspended (memory kept where the driver can), its row SUSPENDED.
     *
     * @return {@link Outcome#SKIPPED} when already SUSPENDED, {@link Outcome#REFUSED} in any other status
     */
    Outcome suspend(SessionCommand.Suspend command);

    /**
     * Wakes a SUSPENDED session: its machine started and healthy again, its row ACTIVE with the machine's address.
     *
     * @return {@link Outcome#SKIPPED} when already ACTIVE, {@link Outcome#REFUSED} in any other status
     */
    Outcome resume(SessionCommand.Resume command);

    /**
     * Destroys the command's machine when its session has no row, has ended, or names another machine; never the
     * machine a live row names, nor a machine of a live row that names none yet (its CREATE may be in flight).
     *
     * @return {@link Outcome#REFUSED} when the machine is left alone
     */
    Outcome reapMachine(SessionCommand.ReapMachine command);

    /**
     * Fails an ACTIVE or SUSPENDED session with the error {@value #MACHINE_LOST} when the driver confirms that the
     * machine its row names is gone.
     *
     * @return {@link Outcome#FAILED} when it was, {@link Outcome#REFUSED} when the machine is still there or the row
     *         names another machine or is in another status
     */
    Outcome machineLost(SessionCommand.MachineLost command);

    /**
     * Deletes the row of an ended session.
     *
     * @return {@link Outcome#REFUSED} for a session that has not ended, {@link Outcome#SKIPPED} when no row is left
     */
    Outcome purge(SessionCommand.Purge command);

    /** The error of a session whose machine disappeared under it. */
    String MACHINE_LOST = "machine lost";

    /** What became of a command. */
    enum Outcome {
        /** The session changed as asked. */
        APPLIED,
        /** Nothing to do: the session is already where the command would take it, or unknown. */
        SKIPPED,
        /** The command does not fit the session as it is now (its status, its machine): nothing changed. */
        REFUSED,
        /** The command could not be applied, or found the session broken; it was written FAILED with the error. */
        FAILED;

        /** The metric tag value. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
