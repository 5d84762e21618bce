package dev.velocitypreview.provisioner.provisioning;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;

import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.provisioner.ProvisionerSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryingTest {

    private final Retrying retrying = new Retrying(new ProvisionerSettings.Retry(3, Duration.ofMillis(1), Duration.ofMillis(4)));

    @Test
    void aTransientFailureIsTriedAgainUntilItSucceeds() {
        AtomicInteger attempts = new AtomicInteger();

        String result = retrying.call(UUID.randomUUID(), "test", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new StaleRowException(UUID.randomUUID(), 3);
            }
            return "done";
        });

        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void theLastTransientFailureSurfacesWhenAttemptsRunOut() {
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> retrying.call(UUID.randomUUID(), "test", () -> {
            attempts.incrementAndGet();
            throw new DataAccessResourceFailureException("connection refused");
        })).hasMessage("connection refused");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void aPermanentFailureIsNotTriedAgain() {
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> retrying.call(UUID.randomUUID(), "test", () -> {
            attempts.incrementAndGet();
            throw new MachineException("runtime refused file ../evil", false);
        })).hasMessageContaining("../evil");
        assertThat(attempts).hasValue(1);
        assertThat(Retrying.isTransient(new DataIntegrityViolationException("duplicate"))).isFalse();
    }

    @Test
    void aMachineFailureIsNotTriedAgainEvenWhenTransientAsTheDriverRetriedItAlready() {
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> retrying.call(UUID.randomUUID(), "test", () -> {
            attempts.incrementAndGet();
            throw new MachineException("cannot start machine after 5 attempts: 503", true);
        })).hasMessageContaining("after 5 attempts");
        assertThat(attempts).hasValue(1);
    }
}
