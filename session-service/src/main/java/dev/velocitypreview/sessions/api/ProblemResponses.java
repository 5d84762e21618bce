package dev.velocitypreview.sessions.api;

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

import dev.velocitypreview.boot.problem.ProblemCounter;
import dev.velocitypreview.boot.problem.ProblemRenderer;

/**
 * Renders every error as RFC 9457 problem+json with a stable {@code code}: our own
 * {@link ApiProblem}s, Spring MVC's (415, 405, unknown paths, completed by {@link ProblemRenderer})
 * and anything unexpected (500). Counts each by its code.
 */
@RestControllerAdvice
class ProblemResponses extends ResponseEntityExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemResponses.class);

    private final ProblemCounter rejected;

    ProblemResponses(ProblemCounter rejected) {
        this.rejected = rejected;
    }

    @ExceptionHandler(RuntimeException.class)
    @Nullable ResponseEntity<Object> unexpected(RuntimeException e, WebRequest request) {
        LOG.atError().setCause(e).addKeyValue("request", request.getDescription(false)).log("request failed");
        ProblemDetail body = ProblemRenderer.problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
                "the request failed unexpectedly; nothing was accepted");
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
            ProblemRenderer.complete(problem);
            rejected.count(problem);
        }
        return response;
    }
}
