package dev.velocitypreview.machines.fly;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One log line per Machines API request: what it was for (session, machine), method, path and
 * query, status, duration and Fly's request id, which Fly support asks for. Headers are never
 * logged, so neither is the token.
 */
final class CallLog implements Interceptor {

    static final String REQUEST_ID_HEADER = "fly-request-id";

    private static final Logger LOG = LoggerFactory.getLogger(FlyMachinesDriver.class);

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        long start = System.nanoTime();
        try {
            Response response = chain.proceed(request);
            LoggingEventBuilder line = expected(request, response.code()) ? LOG.atInfo() : LOG.atWarn();
            describe(line, request, start)
                    .addKeyValue("status", response.code())
                    .addKeyValue("flyRequestId", response.header(REQUEST_ID_HEADER))
                    .log("fly api call");
            return response;
        } catch (IOException e) {
            describe(LOG.atWarn(), request, start).addKeyValue("error", e.toString()).log("fly api call failed");
            throw e;
        }
    }

    /** Successes, and the two refusals that are answers: a wait that ran out, a destroy of a machine already gone. */
    private static boolean expected(Request request, int code) {
        CallTag tag = request.tag(CallTag.class);
        FlyAction action = tag == null ? null : tag.action();
        return (code >= 200 && code < 300) || (action == FlyAction.WAIT && code == 408) || (action == FlyAction.DESTROY && code == 404);
    }

    private static LoggingEventBuilder describe(LoggingEventBuilder line, Request request, long start) {
        CallTag tag = request.tag(CallTag.class);
        if (tag != null) {
            line = line.addKeyValue("action", tag.action().logName());
            if (tag.session() != null) {
                line = line.addKeyValue("session", tag.session());
            }
            if (tag.machine() != null) {
                line = line.addKeyValue("machine", tag.machine());
            }
        }
        HttpUrl url = request.url();
        String query = url.encodedQuery();
        return line.addKeyValue("method", request.method())
                .addKeyValue("path", query == null ? url.encodedPath() : url.encodedPath() + "?" + query)
                .addKeyValue("durationMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
