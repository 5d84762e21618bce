package dev.velocitypreview.sessions.api;

import java.net.URI;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request the API refuses, rendered as RFC 9457 problem+json. {@code code} is a stable,
 * machine-readable reason (also the {@code reason} tag of the rejection counter); {@code detail}
 * says, for a person, what was wrong; {@code type} is {@code urn:velocity-preview:problem:} and the
 * code with dashes.
 */
final class ApiProblem extends ErrorResponseException {

    static final String CODE = "code";
    private static final String TYPE_PREFIX = "urn:velocity-preview:problem:";

    private ApiProblem(HttpStatus status, String code, String detail, @Nullable Throwable cause) {
        super(status, body(status, code, detail), cause);
    }

    private static ProblemDetail body(HttpStatus status, String code, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(type(code));
        body.setProperty(CODE, code);
        return body;
    }

    static URI type(String code) {
        return URI.create(TYPE_PREFIX + code.replace('_', '-'));
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
}
