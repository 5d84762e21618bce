package dev.velocitypreview.boot.problem;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import org.springframework.http.server.ServerHttpResponse;

import tools.jackson.databind.json.JsonMapper;

/**
 * The one renderer of the platform's RFC 9457 problems, on Spring's {@link ProblemDetail}. Every problem
 * carries a stable, machine-readable {@code code} in snake case (what clients branch on and what the
 * rejection counters are tagged with); its {@code type} is {@code urn:velocity-preview:problem:} and the
 * code with dashes; {@code title} is the status' reason phrase unless a problem has a title of its own;
 * {@code instance} is the request's path when it is a URI. Members that are absent are left out.
 *
 * <p>Spring MVC renders the {@link ProblemDetail}s built here itself; {@link #toJson} and {@link #write} are
 * for the places it does not reach (a Tomcat valve, the security filters, WebFlux filters, raw Netty) and
 * write the same members with Spring's own Jackson mix-in.
 */
public final class ProblemRenderer {

    /** The member that holds the problem's code. */
    public static final String CODE = "code";
    public static final MediaType MEDIA_TYPE = MediaType.APPLICATION_PROBLEM_JSON;
    private static final String TYPE_PREFIX = "urn:velocity-preview:problem:";
    // the mix-in Spring's message converters and codecs render ProblemDetail with: properties as members
    private static final JsonMapper JSON = JsonMapper.builder()
            .addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class)
            .build();

    private ProblemRenderer() {
    }

    /** A problem titled with its status' reason phrase. */
    public static ProblemDetail problem(HttpStatusCode status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, Objects.requireNonNull(detail, "detail == null"));
        problem.setType(type(code));
        problem.setProperty(CODE, code);
        return problem;
    }

    /** A problem with a title of its own, such as the router's "no such session". */
    public static ProblemDetail problem(HttpStatusCode status, String code, String title, String detail) {
        ProblemDetail problem = problem(status, code, detail);
        problem.setTitle(Objects.requireNonNull(title, "title == null"));
        return problem;
    }

    /** {@code session_not_found} is {@code urn:velocity-preview:problem:session-not-found}. */
    public static URI type(String code) {
        if (code.isEmpty() || !code.chars().allMatch(c -> c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("a problem code is snake case (a-z, 0-9, _), got '" + code + "'");
        }
        return URI.create(TYPE_PREFIX + code.replace('_', '-'));
    }

    /** The problem's code, or null for a problem that did not come from here (one of Spring's own). */
    public static @Nullable String code(ProblemDetail problem) {
        Object code = problem.getProperties() == null ? null : problem.getProperties().get(CODE);
        return code == null ? null : code.toString();
    }

    /**
     * Gives a problem Spring built (a 415, a 405, an unknown path) the code and type every problem has: the
     * code is named after the status ({@code unsupported_media_type}). A problem that has a code keeps it.
     *
     * @return the problem's code
     */
    public static String complete(ProblemDetail problem) {
        String code = code(problem);
        if (code == null) {
            code = codeOf(HttpStatusCode.valueOf(problem.getStatus()));
            problem.setProperty(CODE, code);
        }
        if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
            problem.setType(type(code));
        }
        return code;
    }

    /** The code of a refusal known by its status only: 415 is {@code unsupported_media_type}. */
    public static String codeOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "http_" + status.value() : known.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Sets {@code instance} to the request's path, unless there is none or it is not a URI (a request is often
     * refused for that very reason): the problem is complete without it.
     */
    public static ProblemDetail withInstance(ProblemDetail problem, @Nullable String path) {
        if (path == null || path.isEmpty()) {
            return problem;
        }
        try {
            problem.setInstance(new URI(path));
        } catch (java.net.URISyntaxException notAUri) {
            // left out: the request's target is not a URI
        }
        return problem;
    }

    /** The problem's JSON body. */
    public static byte[] toJson(ProblemDetail problem) {
        return JSON.writeValueAsBytes(problem);
    }

    /**
     * Writes the problem as a whole response: its status, {@code headers}, {@code Content-Type:
     * application/problem+json} and the body.
     */
    public static void write(ProblemDetail problem, HttpHeaders headers, ServerHttpResponse response) throws IOException {
        byte[] body = toJson(problem);
        response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
        response.getHeaders().putAll(headers);
        response.getHeaders().setContentType(MEDIA_TYPE);
        response.getHeaders().setContentLength(body.length);
        response.getBody().write(body);
        response.flush();
    }
}
