package dev.velocitypreview.provisioner.provisioning;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

import dev.velocitypreview.core.retry.Backoff;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.commands.CommandHandler;

/**
 * Runs work again after transient database failures and stale rows, with {@link Backoff}, a bounded
 * number of times. Machine calls are not retried here: the driver retries them itself (it knows
 * Fly's {@code Retry-After}, its 408s and its rate limits), so a {@code MachineException} that reaches
 * this class is the driver's last word on that call, and retrying it again here would multiply the
 * calls of one step (five times five Fly calls, before).
 */
final class Retrying {

    private static final Logger LOG = LoggerFactory.getLogger(Retrying.class);

    private final int maxAttempts;
    private final Backoff backoff;

    Retrying(ProvisionerSettings.Retry policy) {
        this.maxAttempts = policy.maxAttempts();
        this.backoff = policy.backoff();
    }

    /**
     * @return what {@code work} returned on its first successful attempt
     * @throws RuntimeException the failure of the last attempt, when it was not transient or attempts ran out
     * @throws CancellationException when the thread is interrupted while waiting to try again
     */
    <T> T call(UUID sessionId, String what, Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (!isTransient(e) || attempt >= maxAttempts) {
                    throw e;
                }
                Duration delay = backoff.delay(attempt);
                LOG.atWarn().addKeyValue("session", sessionId).addKeyValue("step", what)
                        .addKeyValue("attempt", attempt).addKeyValue("retryIn", delay)
                        .addKeyValue("error", e.toString())
                        .log("transient failure, trying again");
                pause(delay);
            }
        }
    }

    /** Database connection trouble or a row that moved under us; never a machine call (the driver retried it). */
    static boolean isTransient(Throwable failure) {
        // the database being unreachable is judged in one place, which the command processor uses too
        return CommandHandler.isDatabaseUnavailable(failure)
                || failure instanceof RecoverableDataAccessException
                || failure instanceof CannotCreateTransactionException
                || failure instanceof StaleRowException;
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting to retry");
        }
    }
}
