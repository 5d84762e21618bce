package dev.velocitypreview.sessions.api;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.edits.SessionEditReports;
import dev.velocitypreview.sessions.events.SessionEventStream;
import dev.velocitypreview.sessions.events.SessionEventStreams;
import dev.velocitypreview.sessions.identity.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/**
 * {@code GET /v1/sessions/{id}/events}: the session's view as Server-Sent Events, from the API's own directory.
 * Owner or admin (the preview token only to the owner, as {@code extend} answers); anyone else's session is as
 * unknown as a missing one, the same 404 as {@code GET /v1/sessions/{id}}.
 */
@RestController
class SessionEventsController {

    static final String LAST_EVENT_ID = "Last-Event-ID";
    private static final Logger LOG = LoggerFactory.getLogger(SessionEventsController.class);

    private final SessionLookups lookups;
    private final SessionEventStreams streams;
    private final PreviewAccess previews;
    private final SessionEditReports reports;
    private final SessionLinks links;

    SessionEventsController(SessionLookups lookups, SessionEventStreams streams, PreviewAccess previews,
                            SessionEditReports reports, SessionServiceProperties properties) {
        this.lookups = lookups;
        this.streams = streams;
        this.previews = previews;
        this.reports = reports;
        this.links = SessionLinks.of(properties);
    }

    /** Blocks its thread for the session lookup only (at most the unknown-session grace), as DELETE does. */
    @Operation(summary = "Watch a session: its view as Server-Sent Events", description = "One event per change: "
            + "`event: session`, `id:` the view's version, `data:` the view as GET /v1/sessions/{id} answers it. The "
            + "first event is the current view (with Last-Event-ID: only a newer one); the stream ends after TERMINATED "
            + "or FAILED; a `: keep-alive` comment comes every velocity.session-service.events.heartbeat.")
    @ApiResponse(responseCode = "200", description = "the stream", content = @Content(
            mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(implementation = SessionResponses.Session.class)))
    @GetMapping(path = "/v1/sessions/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                      @RequestHeader(name = LAST_EVENT_ID, required = false) @Nullable String lastEventId) {
        UUID sessionId = SessionLookups.sessionId(id);
        long after = lastEventId(lastEventId);
        lookups.requireReady();
        // registered before the view is read, so that no change falls between the read and the first event
        SessionEventStream stream = streams.open(sessionId, after, view -> render(caller, view)).orElseThrow(() ->
                ApiProblem.unavailable("too_many_event_streams", "this instance has the most event streams it keeps open ("
                        + streams.openStreams() + "); retry shortly", SessionLookups.RETRY_AFTER, null));
        SessionView current;
        try {
            current = lookups.findNow(sessionId, known -> caller.admin() || caller.owns(known.userId()));
        } catch (RuntimeException e) {
            stream.cancel();
            throw e;
        }
        stream.start(current);
        LOG.atDebug().addKeyValue("session", sessionId).addKeyValue("caller", caller.userId())
                .addKeyValue("after", after).log("session event stream opened");
        return stream.emitter();
    }

    private Object render(Caller caller, SessionView view) {
        return SessionResponses.Session.of(view, links, caller.owns(view.userId()) ? previews.tokenFor(view) : null, reports);
    }

    /** The version the client saw last; -1 when absent, as a just-requested session's view has version 0. */
    static long lastEventId(@Nullable String raw) {
        if (raw == null || raw.isBlank()) {
            return -1;
        }
        try {
            long version = Long.parseLong(raw.strip());
            if (version >= 0) {
                return version;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("invalid_last_event_id", "Last-Event-ID must be a session version (a whole number "
                + "from 0), as this stream's event ids are, got " + SessionId.quote(raw)).field(LAST_EVENT_ID);
    }
}
