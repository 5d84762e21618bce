package dev.velocitypreview.sessions.api;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.webmvc.error.ErrorAttributes;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

import dev.velocitypreview.boot.problem.ProblemRenderer;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The error dispatch ({@code /error}), in place of Spring Boot's JSON: what ends there (a request
 * whose body broke off mid-read, an error sent by a filter) is answered by {@link ProblemResponses}
 * like everything else.
 */
@RestController
class ErrorDispatchProblems implements ErrorController {

    private final ErrorAttributes errors;
    private final ProblemResponses problems;

    ErrorDispatchProblems(ErrorAttributes errors, ProblemResponses problems) {
        this.errors = errors;
        this.problems = problems;
    }

    @RequestMapping("${server.error.path:${error.path:/error}}")
    @Nullable ResponseEntity<Object> error(HttpServletRequest request, WebRequest webRequest) throws Exception {
        // a refusal made in the request's own dispatch whose answer was dropped because Tomcat had failed the
        // request already (its body broke off mid-read); anything else is known by its status only
        Exception problem = errors.getError(webRequest) instanceof ErrorResponse refusal
                && refusal instanceof Exception exception ? exception
                : problemFor(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE));
        ResponseEntity<Object> answer = problems.handleException(problem, webRequest);
        if (answer == null) {
            return null;
        }
        if (answer.getBody() instanceof ProblemDetail body && body.getInstance() == null) {
            // the request's own path, not /error
            ProblemRenderer.withInstance(body, (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
        }
        // Spring Security's header writer does not run again for the error dispatch
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                .headers(ApiProblem::addSecurityHeaders).body(answer.getBody());
    }

    static ApiProblem problemFor(@Nullable Object statusAttribute) {
        HttpStatus status = statusAttribute instanceof Integer code ? HttpStatus.resolve(code) : null;
        if (status == HttpStatus.BAD_REQUEST) {
            return ApiProblem.badRequest("malformed_request", "the request is malformed (its framing, headers or "
                    + "body are not valid HTTP) and was refused before the API read it");
        }
        return ApiProblem.refused(status == null ? HttpStatus.INTERNAL_SERVER_ERROR : status);
    }
}
