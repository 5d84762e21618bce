package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import dev.velocitypreview.boot.problem.ProblemRenderer;
import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import reactor.core.publisher.Mono;

/**
 * An RFC 9457 problem the router answers itself, the catalogue of them, rendered by platform-boot's
 * {@link ProblemRenderer} like every problem of the platform. Besides the standard members it carries a stable
 * {@code code}, {@code sessionId} and {@code sessionStatus} ({@code status} is the HTTP status, as the RFC
 * defines it); absent members are left out.
 *
 * @param code       the stable, machine-readable reason in snake case; the type is named after it
 * @param sessionId  a validated session id (it also goes into a header), or null when there is none
 * @param retryAfter sent as {@code Retry-After} when set
 */
record Problem(HttpStatus status, String code, String title, String detail,
               @Nullable UUID sessionId, @Nullable SessionStatus sessionStatus, @Nullable Duration retryAfter) {

    Problem {
        Objects.requireNonNull(status, "status == null");
        Objects.requireNonNull(code, "code == null");
        Objects.requireNonNull(title, "title == null");
        Objects.requireNonNull(detail, "detail == null");
    }

    static Problem malformedId(String rawId) {
        return new Problem(HttpStatus.BAD_REQUEST, "malformed_session_id", "malformed session id",
                "a session id is a UUID (8-4-4-4-12 hex digits), got " + SessionId.quote(rawId), null, null, null);
    }

    /** A request that is not valid HTTP or whose target is not a URI, refused before it is routed. */
    static Problem malformedRequest(String detail) {
        return new Problem(HttpStatus.BAD_REQUEST, "malformed_request", "malformed request", detail,
                null, null, null);
    }

    /** A request line or header block longer than the router reads: 414 or 431. */
    static Problem requestTooLong(HttpStatus status, String detail) {
        String title = status == HttpStatus.URI_TOO_LONG ? "request line too long" : "request headers too large";
        return new Problem(status, title.replace(' ', '_'), title, detail, null, null, null);
    }

    static Problem loading(UUID id, Duration retryAfter) {
        return new Problem(HttpStatus.SERVICE_UNAVAILABLE, "router_loading", "router is still loading sessions",
                "this router has not caught up with the session changelog yet; try again in " + seconds(retryAfter),
                id, null, retryAfter);
    }

    static Problem notFound(UUID id, Duration waited) {
        return new Problem(HttpStatus.NOT_FOUND, "session_not_found", "no such session",
                "no session " + id + " was requested (waited " + seconds(waited) + " for it to appear)", id, null, null);
    }

    static Problem notReady(SessionView session, Duration waited) {
        return new Problem(HttpStatus.GATEWAY_TIMEOUT, "session_not_ready", "preview is not ready yet",
                "session " + session.id() + " is still " + session.status() + " after " + seconds(waited),
                session.id(), session.status(), null);
    }

    static Problem terminated(SessionView session) {
        String reason = session.statusReason() == null ? "no reason recorded" : "reason: " + session.statusReason();
        String state = session.status().isTerminal() ? " was terminated (" : " is being terminated (";
        return new Problem(HttpStatus.GONE, "session_terminated", "preview was terminated",
                "session " + session.id() + state + reason + ")", session.id(), session.status(), null);
    }

    static Problem failed(SessionView session) {
        String error = session.error() == null ? "no error recorded" : session.error();
        return new Problem(HttpStatus.BAD_GATEWAY, "session_failed", "preview failed",
                "session " + session.id() + " failed: " + error, session.id(), session.status(), null);
    }

    /**
     * A private session the request presents no valid preview token for. Says why, never quotes the token, and
     * leaves out the session's status: that is for token holders.
     */
    static Problem unauthorized(SessionView session, Access access) {
        UUID id = session.id();
        return switch (access.verdict()) {
            case EXPIRED -> new Problem(HttpStatus.UNAUTHORIZED, "preview_token_expired",
                    "preview token expired", "the preview token for session " + id
                    + " has expired; open the preview with a fresh link", id, null, null);
            case INVALID -> new Problem(HttpStatus.UNAUTHORIZED, "preview_token_invalid",
                    "preview token is not valid", "the preview token does not open session " + id + ": "
                    + refusal(access) + "; open the preview with a link made for it", id, null, null);
            default -> new Problem(HttpStatus.UNAUTHORIZED, "preview_token_required",
                    "preview token required", "session " + id
                    + " is private: open it with a link that carries a preview token", id, null, null);
        };
    }

    static Problem privateNotConfigured(SessionView session) {
        return new Problem(HttpStatus.SERVICE_UNAVAILABLE, "private_previews_not_configured",
                "private previews are not configured", "session " + session.id()
                + " is private and this router has no preview token secret to check tokens with, so it does not serve it",
                session.id(), null, null);
    }

    private static String refusal(Access access) {
        return access.refusal() == null ? "it is not a preview token" : switch (access.refusal()) {
            case WRONG_SESSION -> "it was made for another session";
            case BAD_SIGNATURE -> "its signature does not match";
            case EXPIRED -> "it has expired";
            case MALFORMED, VALID -> "it is not a preview token";
        };
    }

    static Problem machineUnreachable(SessionView session, String cause) {
        return new Problem(HttpStatus.BAD_GATEWAY, "machine_unreachable", "preview machine is unreachable",
                "the machine of session " + session.id() + " did not answer: " + cause, session.id(), session.status(), null);
    }

    /** A request a forwarder cannot carry because of its body's size (Fly replays at most 1 MB). */
    static Problem bodyTooLarge(SessionView session, long limitBytes) {
        return new Problem(HttpStatus.CONTENT_TOO_LARGE, "request_body_too_large", "request body too large",
                "requests to session " + session.id() + " are replayed to its machine, which carries bodies of at most "
                        + limitBytes + " bytes; this one is larger. Send less per request (split the upload)",
                session.id(), session.status(), null);
    }

    /**
     * A request with a body that was on its way to the session's machine when the session left it (suspended,
     * stopped): the body cannot be sent twice, so the client sends it again (and a suspended session wakes).
     */
    static Problem leftMachine(SessionView session) {
        return new Problem(HttpStatus.SERVICE_UNAVAILABLE, "session_left_machine", "preview stopped answering",
                "session " + session.id() + " became " + session.status() + " while this request was on its way to its"
                        + " machine; its body was not answered, send the request again",
                session.id(), session.status(), Duration.ofSeconds(1));
    }

    /** An active session whose directory entry cannot be routed, for example a machine id of the wrong shape. */
    static Problem unroutable(SessionView session, String reason) {
        return new Problem(HttpStatus.BAD_GATEWAY, "session_unroutable", "preview cannot be reached",
                "session " + session.id() + " is " + session.status() + " but cannot be routed: " + reason,
                session.id(), session.status(), null);
    }

    /** The problem; {@code instance} is the request path, null when there is none to give. */
    private ProblemDetail toProblemDetail(@Nullable String instance) {
        ProblemDetail problem = ProblemRenderer.withInstance(ProblemRenderer.problem(status, code, title, detail),
                instance);
        if (sessionId != null) {
            problem.setProperty("sessionId", sessionId);
        }
        if (sessionStatus != null) {
            problem.setProperty("sessionStatus", sessionStatus.name());
        }
        return problem;
    }

    /** The JSON body; {@code instance} is the request path, null when there is none to give. */
    byte[] toJson(@Nullable String instance) {
        return ProblemRenderer.toJson(toProblemDetail(instance));
    }

    Mono<Void> writeTo(ServerWebExchange exchange) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        HttpHeaders headers = response.getHeaders();
        headers().forEach(headers::set);
        byte[] body = toJson(exchange.getRequest().getURI().getRawPath());
        headers.setContentLength(body.length);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
    }

    /**
     * This problem as a whole Netty response, for a request refused before WebFlux sees it. It has no
     * {@code instance}: such a request's target may not even be a URI. The connection closes after it.
     */
    FullHttpResponse toClosingResponse() {
        FullHttpResponse response = toResponse(null);
        response.headers().set(HttpHeaders.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    /**
     * This problem as a whole Netty response, for a request WebFlux never saw ({@link DirectRoutes}); what
     * {@link #writeTo} writes.
     *
     * @param instance the request path, null when there is none to give
     */
    FullHttpResponse toResponse(@Nullable String instance) {
        byte[] body = toJson(instance);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status.value()), Unpooled.wrappedBuffer(body));
        headers().forEach(response.headers()::set);
        response.headers().setInt(HttpHeaders.CONTENT_LENGTH, body.length);
        return response;
    }

    /** The headers every problem carries, whoever writes it. */
    private Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(HttpHeaders.CONTENT_TYPE, ProblemRenderer.MEDIA_TYPE.toString());
        headers.put(HttpHeaders.CACHE_CONTROL, "no-store");
        if (sessionId != null) {
            headers.put(PreviewHeaders.SESSION_ID, sessionId.toString());
        }
        if (retryAfter != null) {
            headers.put(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
        }
        return headers;
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
