package dev.velocitypreview.core.edits;

import java.util.Objects;

/**
 * A dev server's compile error as it reported it: the message, and where it points when it said so.
 *
 * @param file   the project path of the file at fault, or null when the dev server named none
 * @param line   1-based, or null
 * @param column 1-based, or null
 */
public record CompileError(String message, String file, Long line, Long column) {
    /** A machine's message is kept to this many characters: it is shown, never parsed. */
    public static final int MAX_MESSAGE_CHARS = 4000;

    public CompileError {
        Objects.requireNonNull(message, "message == null");
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS);
        }
    }
}
