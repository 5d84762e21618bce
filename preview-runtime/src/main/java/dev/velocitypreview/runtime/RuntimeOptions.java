package dev.velocitypreview.runtime;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The runtime's command line. Every option is {@code --name=value} and may instead come from the
 * environment variable {@code PREVIEW_<NAME>} (upper case, dashes as underscores); the command
 * line wins.
 *
 * @param port      the port to listen on, 0 for any free port
 * @param bind      the address to listen on
 * @param workDir   where the project's files are written and served from
 * @param bundle    the JSON bundle holding the project's files
 * @param portFile  where to write the bound port once listening, or null
 * @param sessionId the session this runtime serves, for logs and to check the bundle; or null
 * @param poolToken the claim token of a warm pool's machine, which starts in pool mode and learns its session (and its
 *                  replay state and sync endpoint) from its claim ({@link PoolClaim}); null for a session's machine
 * @param replayState when set, only requests replayed by the router (carrying this state) are served; or null
 * @param dev       how a project with a dev script is installed and started
 * @param sync      where live edits come from ({@link SyncLoop}); null when the machine was given none
 */
record RuntimeOptions(int port, String bind, Path workDir, Path bundle, Path portFile, String sessionId,
                      PoolToken poolToken, FileLimits limits, ReplayState replayState, DevOptions dev, SyncOptions sync) {

    /** The store's default: shared by every runtime of the host that is not told otherwise. */
    static final Path DEFAULT_DEPS_CACHE = Path.of(System.getProperty("java.io.tmpdir"), "velocity-preview-deps");
    static final Duration DEFAULT_INSTALL_TIMEOUT = Duration.ofMinutes(10);
    static final Duration DEFAULT_DEV_START_TIMEOUT = Duration.ofMinutes(2);

    /**
     * @param depsCache      the store of prepared dependencies, one entry per lockfile hash ({@link DependencyStore})
     * @param npm            the npm command, a name on the PATH or a path
     * @param installTimeout how long one {@code npm ci} may take before the install fails
     * @param startTimeout   how long the dev server may take from its start to its first page
     * @param previewDomain  the domain the preview is served under ({@code <session id>.<domain>}), handed to the dev
     *                       server as {@code PREVIEW_DOMAIN} so one that checks its page's origin (Next.js's
     *                       {@code allowedDevOrigins}) accepts it; null for the local default, which the templates
     *                       accept already
     */
    record DevOptions(Path depsCache, String npm, Duration installTimeout, Duration startTimeout,
                      String previewDomain) {
        static final DevOptions DEFAULT = new DevOptions(DEFAULT_DEPS_CACHE, "npm", DEFAULT_INSTALL_TIMEOUT,
                DEFAULT_DEV_START_TIMEOUT, null);

        DevOptions {
            Objects.requireNonNull(depsCache, "depsCache == null");
            Objects.requireNonNull(npm, "npm == null");
            if (installTimeout.isNegative() || installTimeout.isZero() || startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive, got " + installTimeout + " and " + startTimeout);
            }
            if (previewDomain != null && (previewDomain.length() > 253 || !Domain.PATTERN.matcher(previewDomain).matches())) {
                throw new IllegalArgumentException("--domain (PREVIEW_DOMAIN) must be a lower-case DNS name such as "
                        + "previews.example.dev, got " + quote(previewDomain));
            }
        }
    }

    /**
     * A DNS name in lower case: it ends up in a dev server's configuration, so nothing else gets through. Compiled on
     * first use, as most machines are given no domain and the regex engine's classes would load before the runtime
     * listens.
     */
    private static final class Domain {
        static final Pattern PATTERN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");
    }

    /**
     * The session API's sync endpoint for this machine's session and the token it accepts ({@code
     * SessionSyncToken}). Both or neither: the provisioner passes both when live edits are configured.
     *
     * @param url   {@code http(s)://.../machine/v1/sessions/<session id>/sync}
     * @param token a secret, kept out of {@link #toString()} and of every log line
     */
    record SyncOptions(URI url, String token) {
        SyncOptions {
            Objects.requireNonNull(url, "url == null");
            Objects.requireNonNull(token, "token == null");
        }

        /** What a sync url must be, from the options or from a claim. */
        static boolean isEndpoint(URI url) {
            return ("http".equals(url.getScheme()) || "https".equals(url.getScheme())) && url.getHost() != null;
        }

        @Override
        public String toString() {
            return "SyncOptions[url=" + url + ", token=(" + token.length() + " characters)]";
        }
    }

    /** Option name → what it means, in the order the usage line shows them. */
    static final Map<String, String> OPTIONS = options();

    RuntimeOptions {
        Objects.requireNonNull(bind, "bind == null");
        Objects.requireNonNull(workDir, "workDir == null");
        Objects.requireNonNull(bundle, "bundle == null");
        Objects.requireNonNull(limits, "limits == null");
        Objects.requireNonNull(dev, "dev == null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
        }
        if (poolToken != null && (sessionId != null || replayState != null || sync != null)) {
            throw new IllegalArgumentException("a pooled runtime (poolToken) learns its session, replay state and sync"
                    + " from its claim, so it is given none of them");
        }
    }

    /** A warm pool's machine, waiting for its claim. */
    boolean pooled() {
        return poolToken != null;
    }

    /**
     * @throws IllegalArgumentException whose message names the option (or variable) and what is wrong with it
     */
    static RuntimeOptions parse(List<String> args, Map<String, String> env) {
        Map<String, Value> given = new LinkedHashMap<>();
        for (String name : OPTIONS.keySet()) {
            String variable = variable(name);
            String raw = env.get(variable);
            if (raw != null && !raw.isEmpty()) {
                given.put(name, new Value(variable, raw));
            }
        }
        Map<String, Value> fromArgs = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || arg.indexOf('=') < 0) {
                throw new IllegalArgumentException("argument " + quote(arg) + " is not of the form --name=value");
            }
            String name = arg.substring(2, arg.indexOf('='));
            if (!OPTIONS.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known options: " + String.join(", ",
                        OPTIONS.keySet().stream().map(n -> "--" + n).toList()));
            }
            if (fromArgs.containsKey(name)) {
                throw new IllegalArgumentException("option --" + name + " is given twice");
            }
            fromArgs.put(name, new Value("--" + name, arg.substring(arg.indexOf('=') + 1)));
        }
        given.putAll(fromArgs);

        int port = (int) number(given, "port", 8080, 0, 65535);
        String bind = text(given, "bind", "127.0.0.1");
        checkAddress(given, bind);
        Path workDir = path(given, "work-dir", true);
        Path bundle = path(given, "bundle", true);
        Path portFile = path(given, "port-file", false);
        String sessionId = text(given, "session-id", null);
        FileLimits limits = new FileLimits(
                number(given, "max-file-bytes", FileLimits.DEFAULT.maxFileBytes(), 1, Integer.MAX_VALUE),
                number(given, "max-total-bytes", FileLimits.DEFAULT.maxTotalBytes(), 1, Long.MAX_VALUE),
                (int) number(given, "max-files", FileLimits.DEFAULT.maxFiles(), 1, Integer.MAX_VALUE));
        Path depsCache = path(given, "deps-cache", false);
        DevOptions dev = new DevOptions(depsCache == null ? DEFAULT_DEPS_CACHE : depsCache,
                text(given, "npm", "npm"),
                duration(given, "install-timeout", DEFAULT_INSTALL_TIMEOUT),
                duration(given, "dev-start-timeout", DEFAULT_DEV_START_TIMEOUT),
                text(given, "domain", null));
        PoolToken poolToken = poolToken(given);
        return new RuntimeOptions(port, bind, workDir, bundle, portFile, sessionId, poolToken, limits, replayState(given),
                dev, sync(given));
    }

    static String variable(String option) {
        return "PREVIEW_" + option.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private record Value(String source, String raw) {
    }

    private static String text(Map<String, Value> given, String name, String fallback) {
        Value value = given.get(name);
        if (value == null) {
            return fallback;
        }
        if (value.raw().isBlank()) {
            throw new IllegalArgumentException(value.source() + " must not be empty");
        }
        return value.raw();
    }

    private static long number(Map<String, Value> given, String name, long fallback, long min, long max) {
        Value value = given.get(name);
        if (value == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.raw().trim());
        } catch (NumberFormatException e) {
            parsed = min - 1;
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(value.source() + " must be a whole number from " + min + " to " + max
                    + ", got " + quote(value.raw()));
        }
        return parsed;
    }

    /** Seconds, or a number with a unit: {@code 90}, {@code 90s}, {@code 5m}, {@code 500ms}. */
    private static Duration duration(Map<String, Value> given, String name, Duration fallback) {
        Value value = given.get(name);
        if (value == null) {
            return fallback;
        }
        String raw = value.raw().trim().toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < raw.length() && Character.isDigit(raw.charAt(digits))) {
            digits++;
        }
        String unit = raw.substring(digits);
        long amount = digits == 0 || digits > 9 ? 0 : Long.parseLong(raw.substring(0, digits));
        Duration parsed = switch (unit) {
            case "", "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "ms" -> Duration.ofMillis(amount);
            default -> Duration.ZERO;
        };
        if (parsed.isZero()) {
            throw new IllegalArgumentException(value.source() + " must be a positive duration (seconds, or with a unit:"
                    + " 500ms, 90s, 5m), got " + quote(value.raw()));
        }
        return parsed;
    }

    private static Path path(Map<String, Value> given, String name, boolean required) {
        Value value = given.get(name);
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException("option --" + name + " is required (or set " + variable(name) + ")");
            }
            return null;
        }
        if (value.raw().isBlank()) {
            throw new IllegalArgumentException(value.source() + " must not be empty");
        }
        try {
            return Path.of(value.raw()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(value.source() + " is not a valid path: " + e.getMessage());
        }
    }

    private static ReplayState replayState(Map<String, Value> given) {
        Value value = given.get("replay-state");
        if (value == null) {
            return null;
        }
        try {
            return new ReplayState(value.raw());
        } catch (IllegalArgumentException e) {
            // a secret: say what is wrong with it, never what it is
            throw new IllegalArgumentException(value.source() + " must be " + ReplayState.SHAPE_TEXT
                    + " (for example: openssl rand -hex 32), got " + value.raw().length() + " characters");
        }
    }

    /**
     * A session's own options never come with a pool token: the claim brings them, for whichever session claims the
     * machine.
     */
    private static PoolToken poolToken(Map<String, Value> given) {
        Value value = given.get("pool-token");
        if (value == null) {
            return null;
        }
        for (String sessionOption : List.of("session-id", "replay-state", "sync-url", "sync-token")) {
            Value session = given.get(sessionOption);
            if (session != null) {
                throw new IllegalArgumentException(value.source() + " starts a warm pool's machine, which learns its"
                        + " session from its claim: it cannot be given " + session.source() + " too");
            }
        }
        try {
            return new PoolToken(value.raw());
        } catch (IllegalArgumentException e) {
            // a secret: say what is wrong with it, never what it is
            throw new IllegalArgumentException(value.source() + " must be " + PoolToken.SHAPE_TEXT + ", got "
                    + value.raw().length() + " characters");
        }
    }

    private static SyncOptions sync(Map<String, Value> given) {
        Value url = given.get("sync-url");
        Value token = given.get("sync-token");
        if (url == null && token == null) {
            return null;
        }
        if (url == null || token == null) {
            Value present = url == null ? token : url;
            String missing = url == null ? "sync-url" : "sync-token";
            throw new IllegalArgumentException(present.source() + " is set but --" + missing + " (or " + variable(missing)
                    + ") is not: live edits need both, or neither to run without them");
        }
        if (token.raw().isBlank()) {
            throw new IllegalArgumentException(token.source() + " must not be empty");
        }
        URI uri;
        try {
            uri = new URI(url.raw().strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(url.source() + " is not a URL: " + quote(url.raw()));
        }
        if (!SyncOptions.isEndpoint(uri)) {
            throw new IllegalArgumentException(url.source() + " must be an http or https URL with a host, got "
                    + quote(url.raw()));
        }
        return new SyncOptions(uri, token.raw().strip());
    }

    private static void checkAddress(Map<String, Value> given, String bind) {
        try {
            InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            Value value = given.get("bind");
            throw new IllegalArgumentException((value == null ? "--bind" : value.source())
                    + " is not an address this host has: " + quote(bind));
        }
    }

    static String quote(String raw) {
        return ProjectPath.quote(raw);
    }

    private static Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("port", "port to listen on, 0 for any free port (default 8080)");
        options.put("bind", "address to listen on (default 127.0.0.1)");
        options.put("work-dir", "directory the project's files are written to (required)");
        options.put("bundle", "JSON bundle with the project's files (required)");
        options.put("port-file", "file to write the bound port to once listening");
        options.put("session-id", "session served, for logs; the bundle must be for this session");
        options.put("pool-token", "warm pool's claim token: pool mode, the session comes with the claim; a secret");
        options.put("max-file-bytes", "largest file accepted (default 1048576)");
        options.put("max-total-bytes", "largest total of all files accepted (default 52428800)");
        options.put("max-files", "most files and directories accepted (default 5000)");
        options.put("replay-state", "the router's fly-replay state; when set, requests without it in fly-replay-src"
                + " are refused (403), /health excepted. A secret: prefer the variable");
        options.put("deps-cache", "store of prepared npm dependencies, one entry per lockfile hash, shared by the"
                + " runtimes of a host (default <java.io.tmpdir>/velocity-preview-deps)");
        options.put("npm", "npm command for installs and the dev server (default npm)");
        options.put("install-timeout", "longest npm install of a project's dependencies (default 10m)");
        options.put("dev-start-timeout", "longest wait from starting the dev server to its first page (default 2m)");
        options.put("domain", "preview domain (<session id>.<domain>), for the dev server's origin check");
        // short: a start refused for a bad option shows this text, and the local driver reports the log's last 4 KiB
        options.put("sync-url", "session API sync endpoint; with --sync-token: live edits");
        options.put("sync-token", "token for --sync-url; a secret");
        return Collections.unmodifiableMap(options);
    }

    static String usage() {
        StringBuilder usage = new StringBuilder("usage: preview-runtime --name=value ...\n");
        OPTIONS.forEach((name, help) -> usage.append(String.format("  --%-18s %-26s %s%n", name, variable(name), help)));
        return usage.toString();
    }
}
