package dev.velocitypreview.core.session;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Parses the ids that arrive from outside (paths, host names, JSON, record keys). Only the
 * canonical lower- or upper-case 8-4-4-4-12 form is accepted, so an id that passed here is
 * safe to put into a header, a path or a log line.
 */
public final class SessionId {

    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private SessionId() {
    }

    /** True when {@code raw} is a canonical UUID. */
    public static boolean isValid(String raw) {
        return raw != null && raw.length() == 36 && CANONICAL.matcher(raw).matches();
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
