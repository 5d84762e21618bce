package dev.velocitypreview.provisioner.provisioning;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.commands.CommandHandler;

/** Runs work again after transient failures, with exponential backoff and jitter, a bounded number of times. */
final class Retrying {

    private static final Logger LOG = LoggerFactory.getLogger(Retrying.class);

    private final ProvisionerSettings.Retry policy;

    Retrying(ProvisionerSettings.Retry policy) {
        this.policy = policy;
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
                if (!isTransient(e) || attempt >= policy.maxAttempts()) {
                    throw e;
                }
                Duration delay = delay(attempt);
                LOG.atWarn().addKeyValue("session", sessionId).addKeyValue("step", what)
                        .addKeyValue("attempt", attempt).addKeyValue("retryIn", delay)
                        .addKeyValue("error", e.toString())
                        .log("transient failure, trying again");
                pause(delay);
            }
        }
    }

    /** Database connection trouble, a machine API that asked us to come back, a row that moved under us. */
    static boolean isTransient(Throwable failure) {
        if (failure instanceof MachineException machine) {
            return machine.isTransient();
        }
        // the database being unreachable is judged in one place, which the command processor uses too
        return CommandHandler.isDatabaseUnavailable(failure)
                || failure instanceof RecoverableDataAccessException
                || failure instanceof CannotCreateTransactionException
                || failure instanceof StaleRowException;
    }

    /** Between half and all of {@code initialDelay * 2^(attempt-1)}, capped at {@code maxDelay}: spreads out retries that failed together. */
    Duration delay(int attempt) {
        long cap = policy.maxDelay().toMillis();
        long base = Math.min(cap, policy.initialDelay().toMillis() << Math.min(attempt - 1, 30));
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
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
