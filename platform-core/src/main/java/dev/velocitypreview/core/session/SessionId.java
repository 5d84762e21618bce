package dev.velocitypreview.core.session;

import java.util.Objects;
import java.util.UUID;

/**
 * Parses the ids that arrive from outside (paths, host names, JSON, record keys). Only the
 * canonical lower- or upper-case 8-4-4-4-12 form is accepted, so an id that passed here is
 * safe to put into a header, a path or a log line.
 */
public final class SessionId {

    private SessionId() {
    }

    /** True when {@code raw} is a canonical UUID. */
    public static boolean isValid(String raw) {
        if (raw == null || raw.length() != 36) {
            return false;
        }
        // by hand rather than a regular expression: the router checks the id of every proxied request, and a
        // matcher is garbage each time (docs/benchmarks.md §4)
        for (int i = 0; i < 36; i++) {
            char c = raw.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !isHexDigit(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHexDigit(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /**
     * @param field what the value is, for the error message ("sessionId", "projectId")
     * @throws InvalidIdException when {@code raw} is not a canonical UUID
     */
    public static UUID parse(String field, String raw) {
        Objects.requireNonNull(field, "field == null");
        if (raw == null || raw.isEmpty()) {
            throw new InvalidIdException(field + " is required");
        }
        if (!isValid(raw)) {
            throw new InvalidIdException(field + " must be a UUID (8-4-4-4-12 hex digits), got " + quote(raw));
        }
        return UUID.fromString(raw);
    }

    /** Quotes an untrusted value for a message: at most 40 characters, control characters escaped. */
    public static String quote(String raw) {
        StringBuilder out = new StringBuilder("'");
        int limit = Math.min(raw.length(), 40);
        for (int i = 0; i < limit; i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (raw.length() > limit) {
            out.append("…");
        }
        return out.append('\'').toString();
    }

    /** An id that is not of the expected shape. */
    public static final class InvalidIdException extends IllegalArgumentException {
        public InvalidIdException(String message) {
            super(message);
        }
    }
}
