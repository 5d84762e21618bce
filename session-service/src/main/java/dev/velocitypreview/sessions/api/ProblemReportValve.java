package dev.velocitypreview.sessions.api;

import java.io.IOException;
import java.util.Locale;
import java.util.function.Consumer;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * Tomcat's last word on a request, in place of its HTML error page: the requests Tomcat refuses
 * before Spring runs (a control character in a header, {@code %00} or an encoded slash in the path)
 * get a problem+json like every other refusal.
 *
 * <p>Tomcat's own messages quote the request, so the details here are fixed sentences chosen by
 * what can be seen safely: whether parsing failed, and the raw path.
 */
final class ProblemReportValve extends ErrorReportValve {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemReportValve.class);

    private final Consumer<ProblemDetail> rejected;

    /** @param rejected counts each refusal */
    ProblemReportValve(Consumer<ProblemDetail> rejected) {
        this.rejected = rejected;
    }

    @Override
    protected void report(Request request, Response response, @Nullable Throwable throwable) {
        int status = response.getStatus();
        // as Tomcat's own: only an error nobody has answered yet, and only once
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        ApiProblem problem = problemFor(status, request.getRequestURI(), throwable != null);
        try {
            problem.writeTo(response, request.getRequestURI());
            response.finishResponse();
            rejected.accept(problem.getBody());
        } catch (IOException | IllegalStateException e) {
            LOG.atDebug().addKeyValue("status", status).addKeyValue("error", e.toString())
                    .log("problem for a refused request not written");
        }
    }

    /**
     * @param rawPath      the request path as sent, not decoded; empty when the request line did not parse
     * @param parseFailed  whether Tomcat failed to parse the request (it then reports an exception): the
     *                     request line if there is no path, else the headers
     */
    static ApiProblem problemFor(int status, @Nullable String rawPath, boolean parseFailed) {
        HttpStatus known = HttpStatus.resolve(status);
        if (known == HttpStatus.BAD_REQUEST) {
            if (parseFailed) {
                return rawPath == null || rawPath.isEmpty()
                        ? ApiProblem.badRequest("malformed_request", "the request line is not valid HTTP/1.1: the "
                                + "method, path or protocol holds a character RFC 9112 does not allow; "
                                + "percent-encode such characters in the path")
                        : ApiProblem.badRequest("invalid_header", "a request header is not valid HTTP: header values "
                                + "may hold visible characters, spaces and tabs only, no control characters such as "
                                + "a bare CR, LF or NUL (RFC 9110, section 5.5)");
            }
            String path = rawPath == null ? "" : rawPath.toLowerCase(Locale.ROOT);
            if (path.contains("%00")) {
                return ApiProblem.badRequest("invalid_path", "the path holds an encoded NUL (%00), which no path of "
                        + "this API has");
            }
            if (path.contains("%2f") || path.contains("%5c")) {
                return ApiProblem.badRequest("invalid_path", "the path holds an encoded slash or backslash (%2F, "
                        + "%5C), which this API does not accept: no path segment of it contains one");
            }
            return ApiProblem.badRequest("invalid_path", "the path is not a valid path: it holds a malformed "
                    + "%-escape or '..' segments that climb above the root");
        }
        return ApiProblem.refused(known == null ? HttpStatus.BAD_REQUEST : known);
    }
}
