package dev.velocitypreview.core.command;

import java.util.List;

/** Why a session ended; stored in {@code preview_sessions.status_reason}. */
public final class TerminationReason {

    public static final String USER = "user";
    public static final String EXPIRED = "expired";
    public static final String IDLE = "idle";
    public static final String ADMIN = "admin";
    public static final String ORPHAN = "orphan";

    static final List<String> KNOWN = List.of(USER, EXPIRED, IDLE, ADMIN, ORPHAN);

    private TerminationReason() {
    }

    public static boolean isKnown(String reason) {
        return KNOWN.contains(reason);
    }
}
