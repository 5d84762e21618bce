package dev.velocitypreview.core.session;

import java.util.Locale;

/**
 * Who may open a session's preview. A public preview is protected only by its unguessable URL; a
 * private one needs a short-lived signed preview token ({@link dev.velocitypreview.core.access.PreviewToken}).
 */
public enum Visibility {
    PUBLIC, PRIVATE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Visibility fromWire(String raw) {
        if (raw != null) {
            for (Visibility visibility : values()) {
                if (visibility.wireName().equals(raw)) {
                    return visibility;
                }
            }
        }
        throw new IllegalArgumentException("visibility must be one of public, private, got "
                + (raw == null ? "nothing" : SessionId.quote(raw)));
    }
}
