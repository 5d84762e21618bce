package dev.velocitypreview.core.edits;

import java.util.Objects;
import java.util.UUID;

/**
 * An {@link EditResult} as the session API relays it to {@code preview.session-edits}, keyed by session id, once it
 * has checked the machine's token: every API instance reads them to answer {@code ?wait=applied} and to show a
 * session's dev server state.
 */
public record SessionEditReport(UUID sessionId, UUID projectId, EditResult result) {
    public SessionEditReport {
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(projectId, "projectId == null");
        Objects.requireNonNull(result, "result == null");
    }
}
