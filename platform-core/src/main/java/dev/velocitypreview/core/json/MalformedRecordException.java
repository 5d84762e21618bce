package dev.velocitypreview.core.json;

/** A record or body that cannot be read as what it claims to be; the message says what is wrong and where. */
public final class MalformedRecordException extends RuntimeException {
    public MalformedRecordException(String message) {
        super(message);
    }

    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
