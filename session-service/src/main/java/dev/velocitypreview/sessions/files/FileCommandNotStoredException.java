package dev.velocitypreview.sessions.files;

/** Kafka did not store a file command in time (or refused it); nothing was accepted. */
public final class FileCommandNotStoredException extends RuntimeException {

    FileCommandNotStoredException(String message, Throwable cause) {
        super(message, cause);
    }
}
