package dev.velocitypreview.core.config;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A credential in configuration: a token, a signing key, a password. Its {@link #toString()} masks
 * it, so a settings record that holds one can be logged or printed in an error whole. Spring binds it
 * from a plain string (through this one-string constructor); read it with {@link #value()} where it is
 * used, never to log it.
 *
 * @param value the secret itself; may be empty (a database password, for one), never null
 */
public record Secret(String value) {

    public static final String MASK = "******";

    public Secret {
        Objects.requireNonNull(value, "value == null");
    }

    /** An empty or blank environment variable means "not set", not "a secret of nothing". */
    public boolean isBlank() {
        return value.isBlank();
    }

    /** How many bytes the secret is as UTF-8, which is what key-length rules count. */
    public int utf8Length() {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return MASK;
    }
}
