package dev.velocitypreview.machines;

/**
 * A driver call that did not succeed.
 *
 * @see #isTransient()
 */
public class MachineException extends RuntimeException {

    private final boolean transientFailure;

    public MachineException(String message, boolean transientFailure) {
        super(message);
        this.transientFailure = transientFailure;
    }

    public MachineException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** True when the same call may succeed if tried again later (timeouts, 429, 5xx, capacity). */
    public boolean isTransient() {
        return transientFailure;
    }
}
