package dev.velocitypreview.runtime;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

import dev.velocitypreview.core.edits.CompileError;

/**
 * Next.js (webpack dev) compiles a route when it is requested. {@code GET /} straight from the dev server answers 500
 * when the build fails, with the error in the page's {@code __NEXT_DATA__} JSON ({@code "err": {"name":
 * "ModuleBuildError", "message", ...}}): the outcome is decided from that status and object. Next gives no location
 * field; SWC's message marks it as {@code ,-[/abs/path:line:column]}, which is read when present (the location only,
 * never the outcome). Only the root route is requested: a broken file that only another route imports is not seen.
 * The bound is longer than Vite's, since webpack compiles the whole route on that request. An answer that writes no
 * module (no script or style) is not checked.
 *
 * <p>webpack keeps its last build until its file watcher sees the write, so the page asked for right after it may
 * carry the error of an earlier content. An error whose code frame does not show the file as it is on disk is not
 * taken; the page is asked again within the bound.
 */
final class NextCompileCheck implements CompileCheck {

    static final Duration BOUND = Duration.ofSeconds(10);
    private static final String DATA_MARKER = "<script id=\"__NEXT_DATA__\" type=\"application/json\">";
    private static final Pattern SWC_LOCATION = Pattern.compile(",-\\[([^\\]\\n]+):(\\d+):(\\d+)\\]");
    /** A line of SWC's code frame: its number, a bar, a space and the line as SWC read it. */
    private static final Pattern FRAME_LINE = Pattern.compile("(?m)^ *(\\d+) \\|(?: (.*))?$");
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final Path root;
    private final int port;
    private final HttpClient http;
    private final Duration bound;
    private final RuntimeLog log;

    NextCompileCheck(Path root, int port, HttpClient http, Duration bound, RuntimeLog log) {
        this.root = root;
        this.port = port;
        this.http = http;
        this.bound = bound;
        this.log = log;
    }

    @Override
    public CompileError check(List<String> changed) throws InterruptedException {
        if (changed.stream().noneMatch(ViteCompileCheck::isModule)) {
            return null;
        }
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            HttpResponse<String> answer = CompileCheck.fetch(http, port, "", "text/html", CompileCheck.remaining(deadline), log);
            if (answer == null || answer.statusCode() != 500) {
                return null;
            }
            CompileError error = error(answer.body());
            if (error.file() == null || !isStale(error.message(), CompileCheck.onDisk(root, error.file()))) {
                return error;
            }
            if (System.nanoTime() > deadline) {
                log.warn("compile check cut short", "reason", "the dev server still answers an error in a former"
                        + " content after " + bound.toMillis() + " ms", "path", error.file());
                return null;
            }
            // webpack keeps its last build until its watcher sees the write; this wait is the dev server's, bounded
            TimeUnit.MILLISECONDS.sleep(CompileCheck.STALE_PAUSE_MILLIS);
        }
    }

    /**
     * True when the code frame of SWC's {@code message} ({@code "  3 |   return <main>"}: a line's number and text)
     * shows a line that {@code source} does not hold there: the error is of a build of an earlier content.
     */
    static boolean isStale(String message, String source) {
        if (source == null) {
            return false;
        }
        String[] lines = source.split("\r?\n", -1);
        Matcher frame = FRAME_LINE.matcher(message);
        while (frame.find()) {
            int number = Integer.parseInt(frame.group(1));
            String shown = frame.group(2) == null ? "" : frame.group(2).stripTrailing();
            if (number > lines.length || !lines[number - 1].stripTrailing().equals(shown)) {
                return true;
            }
        }
        return false;
    }

    CompileError error(String page) {
        int at = page.indexOf(DATA_MARKER);
        String message = null;
        if (at >= 0) {
            try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), page.substring(at + DATA_MARKER.length()))) {
                message = errorMessage(parser);
            } catch (JacksonException e) {
                log.warn("next error not read", "error", e.getOriginalMessage());
            }
        }
        if (message == null) {
            return new CompileError("the dev server answered 500 for / without an error object", null, null, null);
        }
        Matcher location = SWC_LOCATION.matcher(message);
        String file = null;
        Long line = null;
        Long column = null;
        if (location.find()) {
            file = CompileCheck.projectRelative(root, location.group(1));
            if (file != null) {
                line = Long.parseLong(location.group(2));
                column = Long.parseLong(location.group(3));
            }
        }
        return new CompileError(CompileCheck.withoutRoot(root, message), file, line, column);
    }

    /** {@code err.message} of the top-level object, or null. */
    private static String errorMessage(JsonParser parser) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("err") && value == JsonToken.START_OBJECT) {
                String message = null;
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String field = parser.currentName();
                    JsonToken token = parser.nextToken();
                    if (field.equals("message") && token == JsonToken.VALUE_STRING) {
                        message = parser.getString();
                    } else {
                        parser.skipChildren();
                    }
                }
                return message;
            }
            parser.skipChildren();
        }
        return null;
    }
}
