package dev.velocitypreview.sessions.api;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionView;

/** The JSON bodies the API answers with. */
final class SessionResponses {

    private SessionResponses() {
    }

    /** The answer to an accepted {@code POST /v1/sessions}. */
    record Accepted(UUID sessionId, String status, URI previewUrl, URI statusUrl) {
    }

    /** One session as the view knows it; absent values are JSON null so the shape never changes. */
    record Session(
            UUID id,
            @Nullable UUID projectId,
            String status,
            @Nullable String statusReason,
            @Nullable String error,
            @Nullable String machineId,
            @Nullable String machineUrl,
            @Nullable String region,
            @Nullable String tier,
            long version,
            @Nullable Instant requestedAt,
            @Nullable Instant createdAt,
            @Nullable Instant updatedAt,
            @Nullable Instant readyAt,
            @Nullable Instant expiresAt,
            @Nullable Instant terminatedAt,
            URI previewUrl) {

        static Session of(SessionView view, SessionLinks links) {
            return new Session(view.id(), view.projectId(), view.status().name(), view.statusReason(), view.error(),
                    view.machineId(), view.machineUrl(), view.region(),
                    view.tier() == null ? null : view.tier().wireName(), view.version(), view.requestedAt(),
                    view.createdAt(), view.updatedAt(), view.readyAt(), view.expiresAt(), view.terminatedAt(),
                    links.previewUrl(view.id()));
        }
    }

    /** The caller's sessions, newest first. */
    record Sessions(List<Session> sessions) {
    }
}
