package dev.velocitypreview.router.directory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;

/**
 * Actuator endpoint {@code sessions}: {@code GET /actuator/sessions/{id}} answers what THIS router's session
 * directory holds for a session (status, version, machine id), which is what it routes by; a router that
 * answers differently from the database can be told apart from one that knows differently. No machine URL (on
 * Fly it is an internal address), no token, no user.
 *
 * <p>Not exposed by default: a private session's status is for its token holders (the router's 401 leaves it
 * out), so expose {@code sessions} only where the management paths are not public, for example on a
 * {@code management.server.port} of their own.
 */
@Component
@WebEndpoint(id = "sessions")
class SessionDirectoryEndpoint {

    private static final String TYPE_PREFIX = "urn:velocity-preview:problem:";

    private final SessionDirectory directory;

    SessionDirectoryEndpoint(SessionDirectory directory) {
        this.directory = directory;
    }

    /** What this router's directory holds for one session; its answers are read on the caller's request only. */
    @ReadOperation
    WebEndpointResponse<Object> session(@Selector String id) {
        if (!SessionId.isValid(id)) {
            return problem(WebEndpointResponse.STATUS_BAD_REQUEST, "malformed-session-id", "malformed session id",
                    "a session id is a UUID (8-4-4-4-12 hex digits), got " + SessionId.quote(id), null);
        }
        UUID sessionId = UUID.fromString(id);
        if (!directory.isReady()) {
            return problem(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, "router-loading",
                    "router is still loading sessions",
                    "this router has not caught up with the session topics yet (state " + directory.state() + ")", sessionId);
        }
        return directory.lookup(sessionId)
                .<WebEndpointResponse<Object>>map(view -> new WebEndpointResponse<>(StoredSession.of(view)))
                .orElseGet(() -> problem(WebEndpointResponse.STATUS_NOT_FOUND, "session-not-found", "no such session",
                        "this router's directory holds nothing for session " + sessionId, sessionId));
    }

    private static WebEndpointResponse<Object> problem(int status, String type, String title, String detail,
                                                       @Nullable UUID sessionId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + type);
        body.put("code", type.replace('-', '_'));
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (sessionId != null) {
            body.put("sessionId", sessionId.toString());
        }
        return new WebEndpointResponse<>(body, status, MediaType.APPLICATION_PROBLEM_JSON);
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
