package dev.velocitypreview.runtime;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

import dev.velocitypreview.core.edits.CompileError;

/**
 * Vite compiles a module when it is requested: {@code GET /src/App.jsx} straight from the dev server answers the
 * transformed module (200), or 500 with an HTML page whose script holds the error as a JSON object
 * ({@code const error = {"message", "id", "frame", "plugin", "loc": {"file", "line", "column"}, ...}}, Vite 7's
 * {@code prepareError}). Each written module is requested in turn until one fails or the bound is spent. {@code
 * loc.line} is 1-based; {@code loc.column} is 0-based (Rollup's and Babel's convention) and reported 1-based.
 *
 * <p>Vite keeps a module's last compile until its file watcher sees the change, so a request sent right after the
 * write could be answered from that cache. A 200 is taken only when its inline source map's {@code sourcesContent}
 * holds the file as it is on disk (or when it has no inline map); otherwise the module is asked again within the
 * bound.
 */
final class ViteCompileCheck implements CompileCheck {

    static final Duration BOUND = Duration.ofSeconds(5);
    /** What Vite transforms (JavaScript, TypeScript, single-file components, styles); other files are served as they are. */
    static final Set<String> MODULE_EXTENSIONS = Set.of("js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "vue",
            "svelte", "css", "scss", "sass", "less", "styl");
    /** A configuration file at the project's root: {@code <name>.config.<extension>}, with no directory. */
    private static final Pattern ROOT_CONFIG = Pattern.compile("[^/]+\\.config\\.[A-Za-z]+");
    private static final String ERROR_MARKER = "const error = ";
    private static final String INLINE_MAP = "//# sourceMappingURL=data:application/json;base64,";
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final Path root;
    private final int port;
    private final HttpClient http;
    private final Duration bound;
    private final RuntimeLog log;

    ViteCompileCheck(Path root, int port, HttpClient http, Duration bound, RuntimeLog log) {
        this.root = root;
        this.port = port;
        this.http = http;
        this.bound = bound;
        this.log = log;
    }

    @Override
    public CompileError check(List<String> changed) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        for (String path : changed) {
            if (!isModule(path)) {
                continue;
            }
            if (System.nanoTime() > deadline) {
                log.warn("compile check cut short", "reason", "bound of " + bound.toMillis() + " ms spent", "next", path);
                return null;
            }
            while (true) {
                HttpResponse<String> answer = CompileCheck.fetch(http, port, path, "*/*", CompileCheck.remaining(deadline),
                        log);
                if (answer == null) {
                    return null;
                }
                if (answer.statusCode() == 500) {
                    return error(path, answer.body());
                }
                if (answer.statusCode() != 200 || !isStale(answer.body(), CompileCheck.onDisk(root, path))) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    log.warn("compile check cut short", "reason", "the dev server still answers the module's former"
                            + " compile after " + bound.toMillis() + " ms", "path", path);
                    return null;
                }
                // the watcher sees a change within milliseconds; this wait is the dev server's, bounded by the deadline
                TimeUnit.MILLISECONDS.sleep(CompileCheck.STALE_PAUSE_MILLIS);
            }
        }
        return null;
    }

    /**
     * True when {@code module} carries an inline source map whose {@code sourcesContent} does not hold {@code source}:
     * the dev server answered a compile of an earlier content.
     */
    static boolean isStale(String module, String source) {
        int at = module.lastIndexOf(INLINE_MAP);
        if (at < 0 || source == null) {
            return false;
        }
        int end = at + INLINE_MAP.length();
        while (end < module.length() && !Character.isWhitespace(module.charAt(end))) {
            end++;
        }
        byte[] map;
        try {
            map = Base64.getDecoder().decode(module.substring(at + INLINE_MAP.length(), end));
        } catch (IllegalArgumentException e) {
            return false;
        }
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), map)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("sourcesContent") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        if (parser.currentToken() == JsonToken.VALUE_STRING && source.equals(parser.getString())) {
                            return false;
                        }
                        parser.skipChildren();
                    }
                    return true;
                }
                parser.skipChildren();
            }
            return false;
        } catch (JacksonException e) {
            return false;
        }
    }

    /**
     * True for a file the dev server compiles for the browser. A configuration file at the project's root
     * ({@code vite.config.js}, {@code tailwind.config.js}, {@code postcss.config.cjs}, ...) is the dev server's own,
     * read by Node: asked for as a module, Vite would compile it for the browser and hand what it imports ({@code
     * vite}, its plugins) to its dependency optimizer, whose run then fails and leaves every page that loads an
     * optimized dependency blank (504 Outdated Optimize Dep).
     */
    static boolean isModule(String path) {
        int dot = path.lastIndexOf('.');
        return dot > path.lastIndexOf('/') && MODULE_EXTENSIONS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT))
                && !ROOT_CONFIG.matcher(path).matches();
    }

    /** The error object in Vite's 500 page; a 500 without one still names the module that failed. */
    CompileError error(String path, String page) {
        int at = page.indexOf(ERROR_MARKER);
        if (at >= 0) {
            try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), page.substring(at + ERROR_MARKER.length()))) {
                CompileError read = read(parser);
                if (read != null) {
                    return read;
                }
            } catch (JacksonException e) {
                log.warn("vite error not read", "path", path, "error", e.getOriginalMessage());
            }
        }
        return new CompileError("the dev server could not compile " + path + " (it answered 500 without an error object)",
                path, null, null);
    }

    private CompileError read(JsonParser parser) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String message = null;
        String id = null;
        String file = null;
        Long line = null;
        Long column = null;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("message") && value == JsonToken.VALUE_STRING) {
                message = parser.getString();
            } else if (name.equals("id") && value == JsonToken.VALUE_STRING) {
                id = parser.getString();
            } else if (name.equals("loc") && value == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String field = parser.currentName();
                    JsonToken token = parser.nextToken();
                    if (field.equals("file") && token == JsonToken.VALUE_STRING) {
                        file = parser.getString();
                    } else if (field.equals("line") && token == JsonToken.VALUE_NUMBER_INT) {
                        line = parser.getLongValue();
                    } else if (field.equals("column") && token == JsonToken.VALUE_NUMBER_INT) {
                        column = parser.getLongValue() + 1;
                    } else {
                        parser.skipChildren();
                    }
                }
            } else {
                parser.skipChildren();
            }
        }
        if (message == null) {
            return null;
        }
        String relative = CompileCheck.projectRelative(root, file != null ? file : id);
        return new CompileError(CompileCheck.withoutRoot(root, message), relative, line, column);
    }
}
