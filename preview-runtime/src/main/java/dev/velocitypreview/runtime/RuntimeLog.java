package dev.velocitypreview.runtime;

import java.io.PrintStream;
import java.time.Instant;

/**
 * Log lines as {@code key=value} pairs on one line, lower-case messages, each carrying the session
 * id once it is known. The runtime is a plain main that must start fast, hence no logging framework.
 */
final class RuntimeLog {

    private final PrintStream out;
    private volatile String session;

    RuntimeLog(PrintStream out, String session) {
        this.out = out;
        this.session = session;
    }

    void session(String id) {
        session = id;
    }

    void info(String message, Object... keyValues) {
        line("info", message, keyValues);
    }

    void warn(String message, Object... keyValues) {
        line("warn", message, keyValues);
    }

    void error(String message, Object... keyValues) {
        line("error", message, keyValues);
    }

    private void line(String level, String message, Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("keyValues must come in pairs, got " + keyValues.length + " values");
        }
        StringBuilder line = new StringBuilder(128)
                .append("time=").append(Instant.now())
                .append(" level=").append(level)
                .append(" logger=preview-runtime");
        if (session != null) {
            line.append(" session=").append(value(session));
        }
        line.append(" msg=").append(value(message));
        for (int i = 0; i < keyValues.length; i += 2) {
            line.append(' ').append(keyValues[i]).append('=').append(value(String.valueOf(keyValues[i + 1])));
        }
        synchronized (out) {
            out.println(line);
        }
    }

    private static String value(String raw) {
        boolean plain = !raw.isEmpty();
        for (int i = 0; i < raw.length() && plain; i++) {
            char c = raw.charAt(i);
            plain = c > ' ' && c != '"' && c != '=' && c != '\\' && c < 0x7f;
        }
        if (plain) {
            return raw;
        }
        StringBuilder quoted = new StringBuilder(raw.length() + 2).append('"');
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
