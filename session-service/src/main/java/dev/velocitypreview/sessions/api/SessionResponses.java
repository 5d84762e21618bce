package dev.velocitypreview.sessions.api;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.edits.CompileError;
import dev.velocitypreview.core.edits.EditResult;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.sessions.edits.SessionEditReports;

/** The JSON bodies the API answers with. */
final class SessionResponses {

    private SessionResponses() {
    }

    /**
     * The answer to an accepted {@code POST /v1/sessions}.
     *
     * @param previewToken for a private session, the token that opens its preview (also in
     *                     {@code previewUrl}); null for a public one
     */
    record Accepted(UUID sessionId, String status, String visibility, URI previewUrl, @Nullable String previewToken,
                    URI statusUrl) {
    }

    /**
     * One session as the view knows it; absent values are JSON null so the shape never changes.
     * {@code previewToken} is handed only to the owner of a private session that has not ended;
     * {@code previewUrl} then carries it too.
     */
    record Session(
            UUID id,
            String userId,
            @Nullable UUID projectId,
            String status,
            @Nullable String statusReason,
            @Nullable String error,
            @Nullable String machineId,
            @Nullable String machineUrl,
            @Nullable String region,
            @Nullable String tier,
            String visibility,
            long version,
            @Nullable Instant requestedAt,
            @Nullable Instant createdAt,
            @Nullable Instant updatedAt,
            @Nullable Instant readyAt,
            @Nullable Instant expiresAt,
            @Nullable Instant terminatedAt,
            URI previewUrl,
            @Nullable String previewToken,
            @Nullable DevServer devServer) {

        static Session of(SessionView view, SessionLinks links, @Nullable String previewToken, SessionEditReports reports) {
            return new Session(view.id(), view.userId(), view.projectId(), view.status().name(), view.statusReason(),
                    view.error(), view.machineId(), view.machineUrl(), view.region(),
                    view.tier() == null ? null : view.tier().wireName(), visibilityOf(view).wireName(), view.version(),
                    view.requestedAt(), view.createdAt(), view.updatedAt(), view.readyAt(), view.expiresAt(),
                    view.terminatedAt(), links.previewUrl(view.id(), previewToken), previewToken,
                    reports.latest(view.id()).map(report -> DevServer.of(report.result())).orElse(null));
        }
    }

    /**
     * What the preview's dev server made of the last edits its machine applied, as the machine reported it.
     *
     * @param outcome {@code applied} or {@code compile_error}
     * @param error   the compile error, only with {@code compile_error}
     * @param at      when the machine checked
     */
    record DevServer(String outcome, @Nullable CompileFailure error, Instant at) {

        static DevServer of(EditResult result) {
            return new DevServer(result.outcome().wire(), CompileFailure.of(result.error()), result.at());
        }
    }

    /** A dev server's compile error: its message and, when it said so, the project file and 1-based position. */
    record CompileFailure(String message, @Nullable String file, @Nullable Long line, @Nullable Long column) {

        static @Nullable CompileFailure of(@Nullable CompileError error) {
            return error == null ? null : new CompileFailure(error.message(), error.file(), error.line(), error.column());
        }
    }

    /**
     * The answer to an extend whose new expiry this API's view did not show in time (202): the EXTEND is
     * stored; {@code statusUrl} shows {@code expiresAt} equal to {@code pendingExpiresAt} once it is applied.
     *
     * @param session the session as the view knows it, still with its former expiry
     */
    record ExtendPending(Session session, Instant pendingExpiresAt, URI statusUrl) {
    }

    /** Sessions, newest first. */
    record Sessions(List<Session> sessions) {
    }

    /** Sessions requested before visibility existed were public. */
    static Visibility visibilityOf(SessionView view) {
        return view.visibility() == null ? Visibility.PUBLIC : view.visibility();
    }
}
