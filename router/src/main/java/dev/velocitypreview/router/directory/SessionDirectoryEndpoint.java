package dev.velocitypreview.router.directory;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

import dev.velocitypreview.boot.problem.ProblemRenderer;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;

/**
 * Actuator endpoint {@code sessions}: {@code GET /actuator/sessions/{id}} answers what THIS router's session
 * directory holds for a session (status, version, machine id), which is what it routes by; a router that
 * answers differently from the database can be told apart from one that knows differently. No machine URL (on
 * Fly it is an internal address), no token, no user. {@code GET /actuator/sessions} answers how much the directory
 * holds (sessions known, decoded views, per-user index, store sizes): it stays bounded by live sessions and ended
 * ones in retention, since retention's tombstones make the directory forget a session.
 *
 * <p>Not exposed by default: a private session's status is for its token holders (the router's 401 leaves it
 * out), so expose {@code sessions} only where the management paths are not public, for example on a
 * {@code management.server.port} of their own.
 */
@Component
@WebEndpoint(id = "sessions")
class SessionDirectoryEndpoint {

    private final SessionDirectory directory;

    SessionDirectoryEndpoint(SessionDirectory directory) {
        this.directory = directory;
    }

    /** How much this router's directory holds; counted on the caller's request only. */
    @ReadOperation
    WebEndpointResponse<Object> stats() {
        if (!directory.isReady()) {
            return problem(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, "router_loading",
                    "router is still loading sessions",
                    "this router has not caught up with the session topics yet (state " + directory.state() + ")", null);
        }
        return new WebEndpointResponse<>(directory.stats());
    }

    /** What this router's directory holds for one session; its answers are read on the caller's request only. */
    @ReadOperation
    WebEndpointResponse<Object> session(@Selector String id) {
        if (!SessionId.isValid(id)) {
            return problem(WebEndpointResponse.STATUS_BAD_REQUEST, "malformed_session_id", "malformed session id",
                    "a session id is a UUID (8-4-4-4-12 hex digits), got " + SessionId.quote(id), null);
        }
        UUID sessionId = UUID.fromString(id);
        if (!directory.isReady()) {
            return problem(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, "router_loading",
                    "router is still loading sessions",
                    "this router has not caught up with the session topics yet (state " + directory.state() + ")", sessionId);
        }
        return directory.lookup(sessionId)
                .<WebEndpointResponse<Object>>map(view -> new WebEndpointResponse<>(StoredSession.of(view)))
                .orElseGet(() -> problem(WebEndpointResponse.STATUS_NOT_FOUND, "session_not_found", "no such session",
                        "this router's directory holds nothing for session " + sessionId, sessionId));
    }

    private static WebEndpointResponse<Object> problem(int status, String code, String title, String detail,
                                                       @Nullable UUID sessionId) {
        ProblemDetail problem = ProblemRenderer.problem(HttpStatusCode.valueOf(status), code, title, detail);
        if (sessionId != null) {
            problem.setProperty("sessionId", sessionId);
        }
        // written as it is: the actuator's JSON mapper does not know how a ProblemDetail is rendered
        return new WebEndpointResponse<>(ProblemRenderer.toJson(problem), status, ProblemRenderer.MEDIA_TYPE);
    }

    /**
     * One session as this router's directory holds it.
     *
     * @param version 0 while only the session's CREATE is known, then the version of the newest row
     */
    record StoredSession(UUID sessionId, SessionStatus status, long version, @Nullable String machineId) {
        static StoredSession of(SessionView view) {
            return new StoredSession(view.id(), view.status(), view.version(), view.machineId());
        }
    }
}
