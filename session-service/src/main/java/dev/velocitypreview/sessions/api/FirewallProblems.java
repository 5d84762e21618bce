package dev.velocitypreview.sessions.api;

import java.io.IOException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.stereotype.Component;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The answer to a request Spring Security's firewall refuses (an encoded {@code .}, {@code /} or
 * {@code ;} in the path, a path that is not normalized, a control character in a header): a 400
 * problem+json instead of a bare {@code sendError}. The firewall's messages may quote the request,
 * so the details are fixed sentences picked by the kind of refusal.
 */
@Component
class FirewallProblems implements RequestRejectedHandler {

    private static final Logger LOG = LoggerFactory.getLogger(FirewallProblems.class);
    private static final String BLOCKED = "potentially malicious String \"";

    private final SessionMetrics metrics;

    FirewallProblems(SessionMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException e)
            throws IOException {
        ApiProblem problem = problemFor(e.getMessage());
        LOG.atDebug().addKeyValue("code", problem.code()).log("request refused by the firewall");
        problem.writeTo(response, request.getRequestURI());
        metrics.rejected(problem.code());
    }

    static ApiProblem problemFor(@Nullable String reason) {
        String message = reason == null ? "" : reason;
        if (message.contains(BLOCKED)) {
            int start = message.indexOf(BLOCKED) + BLOCKED.length();
            int end = message.indexOf('"', start);
            // the firewall's own list of blocked strings, not the request: safe to name when printable
            String blocked = end > start ? message.substring(start, end) : "";
            boolean printable = !blocked.isEmpty() && blocked.length() <= 8
                    && blocked.chars().allMatch(c -> c > 0x20 && c < 0x7f);
            return ApiProblem.badRequest("invalid_path", "the path holds " + (printable ? "'" + blocked + "'"
                    : "a control character") + ", which this API does not accept: an encoded '.', '/', '\\', ';' "
                    + "or '%', '//' and control characters could make a path name another resource than it seems to");
        }
        if (message.contains("not normalized")) {
            return ApiProblem.badRequest("invalid_path", "the path is not normalized: it holds '.' or '..' segments "
                    + "or an empty segment; send the path of the resource itself");
        }
        if (message.contains("printable ASCII")) {
            return ApiProblem.badRequest("invalid_path", "the path holds a character that is not printable ASCII; "
                    + "percent-encode it");
        }
        if (message.contains("HTTP method")) {
            return ApiProblem.badRequest("invalid_method", "the HTTP method is not a standard one: "
                    + "GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS");
        }
        if (message.contains("header")) {
            return ApiProblem.badRequest("invalid_header", "a request header name or value holds a character this "
                    + "API does not accept, such as a control character");
        }
        if (message.contains("parameter")) {
            return ApiProblem.badRequest("invalid_parameter", "a query parameter name or value holds a character "
                    + "this API does not accept, such as a control character");
        }
        return ApiProblem.badRequest("rejected_request", "the request was refused: its path, method, headers or "
                + "parameters hold something this API never accepts");
    }
}
