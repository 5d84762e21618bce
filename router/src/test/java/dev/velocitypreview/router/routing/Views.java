package dev.velocitypreview.router.routing;

import java.time.Instant;
import java.util.UUID;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

/** Session views for tests. */
final class Views {

    private Views() {
    }

    static SessionView view(UUID id, SessionStatus status, long version) {
        return view(id, status, version, null, null, null);
    }

    static SessionView active(UUID id, long version, String machineUrl) {
        return view(id, SessionStatus.ACTIVE, version, null, null, machineUrl);
    }

    static SessionView view(UUID id, SessionStatus status, long version, String reason, String error, String machineUrl) {
        Instant now = Instant.now();
        return new SessionView(id, "user-1", UUID.randomUUID(), status, reason, error,
                machineUrl == null ? null : "machine-" + id, machineUrl, "local", Tier.FREE, null, version,
                now, now, now, null, null, null, null);
    }

    /** {@code view} of a private session. */
    static SessionView privately(SessionView view) {
        return new SessionView(view.id(), view.userId(), view.projectId(), view.status(), view.statusReason(), view.error(),
                view.machineId(), view.machineUrl(), view.region(), view.tier(), Visibility.PRIVATE, view.version(),
                view.requestedAt(), view.createdAt(), view.updatedAt(), view.readyAt(), view.expiresAt(), view.terminatedAt(), view.idleTimeout());
    }
}
