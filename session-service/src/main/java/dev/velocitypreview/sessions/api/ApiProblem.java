package dev.velocitypreview.sessions.api;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.ErrorResponseException;

import jakarta.servlet.http.HttpServletResponse;

/**
 * A request the API refuses, rendered as RFC 9457 problem+json. {@code code} is a stable,
 * machine-readable reason (also the {@code reason} tag of the rejection counter); {@code detail}
 * says, for a person, what was wrong; {@code type} is {@code urn:velocity-preview:problem:} and the
 * code with dashes.
 */
final class ApiProblem extends ErrorResponseException {

    static final String CODE = "code";
    private static final String TYPE_PREFIX = "urn:velocity-preview:problem:";
    // the converter Spring MVC renders ProblemDetail with, for the refusals made before MVC runs
    private static final JacksonJsonHttpMessageConverter JSON = new JacksonJsonHttpMessageConverter();

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

    /**
     * A refusal made before the API saw the request, when nothing more specific is known than its
     * status; a 5xx says nothing was accepted.
     */
    static ApiProblem refused(HttpStatus status) {
        if (status.is5xxServerError()) {
            return new ApiProblem(status, "internal_error", "the request failed unexpectedly; nothing was accepted",
                    null);
        }
        return new ApiProblem(status, ProblemResponses.codeOf(status), "the request was refused before it reached the "
                + "API: " + status.getReasonPhrase().toLowerCase(Locale.ROOT), null);
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

    String code() {
        return String.valueOf(getBody().getProperties() == null ? null : getBody().getProperties().get(CODE));
    }

    /**
     * Writes this problem where Spring MVC does not answer (Tomcat's error report, the security
     * firewall): the body {@link ProblemResponses} renders, with the headers Spring Security would
     * have added to it (see {@link #addSecurityHeaders}). {@code instance} is the request path, left out when it is not a URI.
     */
    void writeTo(HttpServletResponse response, @Nullable String instance) throws IOException {
        ProblemDetail body = getBody();
        setInstance(body, instance);
        response.setStatus(getStatusCode().value());
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(getHeaders());
        addSecurityHeaders(headers);
        headers.forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        JSON.write(body, MediaType.APPLICATION_PROBLEM_JSON, new ServletServerHttpResponse(response));
    }

    /** What Spring Security adds to every answer it sees, for the answers written where it does not run. */
    static void addSecurityHeaders(HttpHeaders headers) {
        headers.setCacheControl("no-store");
        headers.set("X-Content-Type-Options", "nosniff");
    }

    /** Sets {@code instance} to the request's path, unless the path is not a URI (it was refused for that). */
    static void setInstance(ProblemDetail body, @Nullable String path) {
        if (path == null) {
            return;
        }
        try {
            body.setInstance(URI.create(path));
        } catch (IllegalArgumentException notAUri) {
            // the problem is complete without it
        }
    }
}
