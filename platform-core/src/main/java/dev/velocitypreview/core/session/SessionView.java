package dev.velocitypreview.core.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import dev.velocitypreview.core.command.SessionCommand;

/**
 * What every reader knows about a session: a row of {@code preview_sessions} as the changelog
 * carries it, or, before the provisioner has written anything, the requested state derived from
 * the CREATE command (version 0). Views only ever move to a higher {@link #version()}.
 *
 * @param visibility who may open the preview; {@link Visibility#PUBLIC} when not given
 * @param version 0 for a requested session nobody has written yet; the provisioner's row
 *                versions start at 1 and grow by one on every write
 * @param idleTimeout how long the preview may go unused before cleanup suspends it, as the tier granted;
 *                    null on a requested view and on rows written before the grant was recorded
 */
public record SessionView(
        UUID id,
        String userId,
        UUID projectId,
        SessionStatus status,
        String statusReason,
        String error,
        String machineId,
        String machineUrl,
        String region,
        Tier tier,
        Visibility visibility,
        long version,
        Instant requestedAt,
        Instant createdAt,
        Instant updatedAt,
        Instant readyAt,
        Instant expiresAt,
        Instant terminatedAt,
        Duration idleTimeout) {

    public SessionView {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(status, "status == null");
        visibility = visibility == null ? Visibility.PUBLIC : visibility;
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, got " + version);
        }
    }

    /** The view of a session that was requested and not yet picked up by the provisioner. */
    public static SessionView requested(SessionCommand.Create create) {
        return new SessionView(create.sessionId(), create.userId(), create.projectId(), SessionStatus.REQUESTED,
                null, null, null, null, null, create.tier(), create.visibility(), 0L, create.issuedAt(), null, null, null, null, null, create.idleTimeout());
    }

    /** True when this view should replace {@code current} (which may be null): it is strictly newer. */
    public boolean supersedes(SessionView current) {
        return current == null || version > current.version;
    }

    /** The newer of two views of the same session; either may be null. */
    public static SessionView newest(SessionView a, SessionView b) {
        if (a == null) {
            return b;
        }
        return b != null && b.supersedes(a) ? b : a;
    }
}
