package dev.velocitypreview.runtime;

/**
 * The project's files cannot be written; the message is the report the health check carries,
 * naming the file at fault when there is one.
 */
final class MaterializationException extends Exception {

    MaterializationException(String message) {
        super(message);
    }

    MaterializationException(String message, Throwable cause) {
        super(message, cause);
    }

    static MaterializationException refused(String rawPath, String reason) {
        return new MaterializationException("refused " + ProjectPath.quote(rawPath) + ": " + reason);
    }
}
