package dev.velocitypreview.sessions.api;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.ErrorResponseException;

import dev.velocitypreview.boot.problem.ProblemRenderer;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A request the API refuses, as an RFC 9457 problem built by {@link ProblemRenderer}: {@code code} is
 * a stable, machine-readable reason (also the {@code reason} tag of the rejection counter);
 * {@code detail} says, for a person, what was wrong.
 */
final class ApiProblem extends ErrorResponseException {

    private ApiProblem(HttpStatus status, String code, String detail, @Nullable Throwable cause) {
        super(status, ProblemRenderer.problem(status, code, detail), cause);
    }

    /**
     * A refusal made before the API saw the request, when nothing more specific is known than its
     * status; a 5xx says nothing was accepted.
     */
    static ApiProblem refused(HttpStatus status) {
        if (status.is5xxServerError()) {
            return new ApiProblem(status, "internal_error", "the request failed unexpectedly; nothing was accepted",
                    null);
        }
        return new ApiProblem(status, ProblemRenderer.codeOf(status), "the request was refused before it reached the "
                + "API: " + status.getReasonPhrase().toLowerCase(Locale.ROOT), null);
    }

    /** A refusal whose status is decided elsewhere (the provisioner's answer to a file command). */
    static ApiProblem of(HttpStatus status, String code, String detail) {
        return new ApiProblem(status, code, detail, null);
    }

    static ApiProblem badRequest(String code, String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, code, detail, null);
    }

    static ApiProblem forbidden(String code, String detail) {
        return new ApiProblem(HttpStatus.FORBIDDEN, code, detail, null);
    }

    static ApiProblem unprocessable(String code, String detail) {
        return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, code, detail, null);
    }

    static ApiProblem tooManyRequests(String code, String detail) {
        return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, code, detail, null);
    }

    static ApiProblem notFound(String detail) {
        return new ApiProblem(HttpStatus.NOT_FOUND, "session_not_found", detail, null);
    }

    static ApiProblem conflict(String code, String detail) {
        return new ApiProblem(HttpStatus.CONFLICT, code, detail, null);
    }

    static ApiProblem gatewayTimeout(String code, String detail) {
        return new ApiProblem(HttpStatus.GATEWAY_TIMEOUT, code, detail, null);
    }

    static ApiProblem tooLarge(String detail) {
        return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "body_too_large", detail, null);
    }

    static ApiProblem unavailable(String code, String detail, Duration retryAfter, @Nullable Throwable cause) {
        ApiProblem problem = new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, code, detail, cause);
        problem.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
        return problem;
    }

    /** Names the request field at fault, for clients that highlight it. */
    ApiProblem field(String name) {
        return with("field", name);
    }

    /** Adds a member to the problem, such as the {@code limit} and {@code usage} of a quota. */
    ApiProblem with(String member, Object value) {
        getBody().setProperty(member, value);
        return this;
    }

    String code() {
        return String.valueOf(ProblemRenderer.code(getBody()));
    }

    /**
     * Writes this problem where Spring MVC does not answer (Tomcat's error report, the security
     * firewall), with the headers Spring Security would have added to it (see
     * {@link #addSecurityHeaders}). {@code instance} is the request path, left out when it is not a URI.
     */
    void writeTo(HttpServletResponse response, @Nullable String instance) throws IOException {
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(getHeaders());
        addSecurityHeaders(headers);
        ProblemRenderer.write(ProblemRenderer.withInstance(getBody(), instance), headers,
                new ServletServerHttpResponse(response));
    }

    /** What Spring Security adds to every answer it sees, for the answers written where it does not run. */
    static void addSecurityHeaders(HttpHeaders headers) {
        headers.setCacheControl("no-store");
        headers.set("X-Content-Type-Options", "nosniff");
    }
}
