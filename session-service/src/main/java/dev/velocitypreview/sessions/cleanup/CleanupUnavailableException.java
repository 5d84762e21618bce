package dev.velocitypreview.sessions.cleanup;

/** The cleanup pass could not be asked for: Kafka did not answer or did not store a request. */
public class CleanupUnavailableException extends RuntimeException {

    CleanupUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
