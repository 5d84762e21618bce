package dev.velocitypreview.sessions.api;

import java.io.IOException;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.stereotype.Component;

import dev.velocitypreview.boot.problem.ProblemCounter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The answer to a request Spring Security's firewall refuses (an encoded {@code .}, {@code /} or
 * {@code ;} in the path, a path that is not normalized, a control character in a header): a 400
 * problem+json instead of a bare {@code sendError}.
 *
 * <p>The firewall throws one exception type for every refusal, and its message quotes the request,
 * so the kind of refusal is found by checking the request against the firewall's own rules (its
 * blocklists and predicates), in the firewall's order; the details are fixed sentences.
 */
@Component
class FirewallProblems implements RequestRejectedHandler {

    private static final Logger LOG = LoggerFactory.getLogger(FirewallProblems.class);
    /** The firewall Spring Security runs here: the default one, which this reads the rules of. */
    private static final StrictHttpFirewall FIREWALL = new StrictHttpFirewall();
    private static final Set<String> STANDARD_METHODS = Set.of("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST",
            "PUT");

    private final ProblemCounter rejected;

    FirewallProblems(ProblemCounter rejected) {
        this.rejected = rejected;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException e)
            throws IOException {
        ApiProblem problem = problemFor(request);
        LOG.atDebug().addKeyValue("code", problem.code()).log("request refused by the firewall");
        problem.writeTo(response, request.getRequestURI());
        rejected.count(problem.getBody());
    }

    static ApiProblem problemFor(HttpServletRequest request) {
        if (!STANDARD_METHODS.contains(request.getMethod())) {
            return ApiProblem.badRequest("invalid_method", "the HTTP method is not a standard one: "
                    + "GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS");
        }
        String blocked = blocked(request);
        if (blocked != null) {
            // one of the firewall's own blocked strings, not the request: safe to name when printable
            boolean printable = blocked.length() <= 8 && blocked.chars().allMatch(c -> c > 0x20 && c < 0x7f);
            return ApiProblem.badRequest("invalid_path", "the path holds " + (printable ? "'" + blocked + "'"
                    : "a control character") + ", which this API does not accept: an encoded '.', '/', '\\', ';' "
                    + "or '%', '//' and control characters could make a path name another resource than it seems to");
        }
        if (Stream.of(request.getRequestURI(), request.getContextPath(), request.getServletPath(), request.getPathInfo())
                .anyMatch(path -> !isNormalized(path))) {
            return ApiProblem.badRequest("invalid_path", "the path is not normalized: it holds '.' or '..' segments "
                    + "or an empty segment; send the path of the resource itself");
        }
        if (!isPrintableAscii(request.getRequestURI())) {
            return ApiProblem.badRequest("invalid_path", "the path holds a character that is not printable ASCII; "
                    + "percent-encode it");
        }
        if (Collections.list(request.getHeaderNames()).stream().anyMatch(name -> !StrictHttpFirewall.ALLOWED_HEADER_NAMES
                .test(name) || Collections.list(request.getHeaders(name)).stream()
                .anyMatch(value -> !StrictHttpFirewall.ALLOWED_HEADER_VALUES.test(value)))) {
            return ApiProblem.badRequest("invalid_header", "a request header name or value holds a character this "
                    + "API does not accept, such as a control character");
        }
        if (request.getParameterMap().entrySet().stream().anyMatch(parameter -> !StrictHttpFirewall
                .ALLOWED_PARAMETER_NAMES.test(parameter.getKey()) || Stream.of(parameter.getValue())
                .anyMatch(value -> !StrictHttpFirewall.ALLOWED_PARAMETER_VALUES.test(value)))) {
            return ApiProblem.badRequest("invalid_parameter", "a query parameter name or value holds a character "
                    + "this API does not accept, such as a control character");
        }
        return ApiProblem.badRequest("rejected_request", "the request was refused: its path, method, headers or "
                + "parameters hold something this API never accepts");
    }

    /**
     * The blocked string the path holds, as the firewall looks for them: encoded ones in the raw path,
     * decoded ones in the decoded path; the first in the path when there are several.
     */
    private static @Nullable String blocked(HttpServletRequest request) {
        record Found(String blocked, int at) {
        }
        List<Found> found = Stream.concat(
                        FIREWALL.getEncodedUrlBlocklist().stream().flatMap(blocked -> Stream.of(
                                        request.getRequestURI(), request.getContextPath())
                                .map(path -> new Found(blocked, indexOf(path, blocked)))),
                        FIREWALL.getDecodedUrlBlocklist().stream().flatMap(blocked -> Stream.of(
                                        request.getServletPath(), request.getPathInfo())
                                .map(path -> new Found(blocked, indexOf(path, blocked)))))
                .filter(match -> match.at() >= 0)
                .sorted(Comparator.comparingInt(Found::at).thenComparing(match -> -match.blocked().length()))
                .toList();
        return found.isEmpty() ? null : found.get(0).blocked();
    }

    private static int indexOf(@Nullable String path, String blocked) {
        return path == null ? -1 : path.indexOf(blocked);
    }

    /** No {@code .} or {@code ..} segment, as the firewall's own check (empty segments are blocked strings). */
    private static boolean isNormalized(@Nullable String path) {
        return path == null || Stream.of(path.split("/", -1)).noneMatch(segment -> segment.equals(".")
                || segment.equals(".."));
    }

    private static boolean isPrintableAscii(@Nullable String path) {
        return path == null || path.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    }
}
