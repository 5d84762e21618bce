package dev.velocitypreview.sessions.api;

import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Renders every error as RFC 9457 problem+json with a stable {@code code}: our own
 * {@link ApiProblem}s, Spring MVC's (415, 405, unknown paths) and anything unexpected (500).
 * Counts each by its code.
 */
@RestControllerAdvice
class ProblemResponses extends ResponseEntityExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemResponses.class);

    private final SessionMetrics metrics;

    ProblemResponses(SessionMetrics metrics) {
        this.metrics = metrics;
    }

    @ExceptionHandler(RuntimeException.class)
    @Nullable ResponseEntity<Object> unexpected(RuntimeException e, WebRequest request) {
        LOG.atError().setCause(e).addKeyValue("request", request.getDescription(false)).log("request failed");
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "the request failed unexpectedly; nothing was accepted");
        body.setProperty(ApiProblem.CODE, "internal_error");
        return handleExceptionInternal(e, body, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleExceptionInternal(Exception e, @Nullable Object body,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (request instanceof ServletWebRequest servlet && servlet.getResponse() != null
                && servlet.getResponse().isCommitted()) {
            // Tomcat failed the request first (its body broke off mid-read): the error dispatch answers and counts
            // it (ErrorDispatchProblems); Spring would log a warning for each such client fault
            LOG.atDebug().addKeyValue("request", request.getDescription(false)).log("refusal left to the error dispatch");
            return null;
        }
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            Object code = problem.getProperties() == null ? null : problem.getProperties().get(ApiProblem.CODE);
            if (code == null) {
                code = codeOf(status);
                problem.setProperty(ApiProblem.CODE, code);
            }
            if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
                problem.setType(ApiProblem.type(code.toString()));
            }
            metrics.rejected(code.toString());
        }
        return response;
    }

    /** Spring's own refusals get a code named after their status: 415 → {@code unsupported_media_type}. */
    static String codeOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "http_" + status.value() : known.name().toLowerCase(Locale.ROOT);
    }
}
