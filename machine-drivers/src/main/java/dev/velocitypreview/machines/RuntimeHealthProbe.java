package dev.velocitypreview.machines;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks a preview runtime's {@code GET /health} whether it is ready, and polls it until it is.
 * Shared by the drivers: each one says how to find its machine's runtime ({@link Target}).
 *
 * <p>Thread-safe; one instance serves any number of concurrent waits.
 */
public final class RuntimeHealthProbe {

    /** What one look at {@code /health} saw. */
    public enum Status {
        /** 200: serving. */
        READY,
        /** 503 "starting": ask again. */
        STARTING,
        /** 503 "failed": the runtime can never become ready; the detail says why. */
        FAILED,
        /** No usable answer (connection refused, timeout, unexpected reply): ask again. */
        UNREACHABLE
    }

    /**
     * @param detail  what the runtime or the connection said, never null
     * @param session the session a ready runtime says it serves; null for a warm pool's machine no session has
     *                claimed, and when not ready
     */
    public record Health(Status status, String detail, @Nullable String session) {
        public Health {
            Objects.requireNonNull(status, "status == null");
            Objects.requireNonNull(detail, "detail == null");
        }

        Health(Status status, String detail) {
            this(status, detail, null);
        }
    }

    /** Where a machine's runtime answers. */
    @FunctionalInterface
    public interface Target {
        /**
         * Called before each look.
         *
         * @return the runtime's base url, or null while it is not known yet
         * @throws MachineException when the machine can no longer become ready (it exited, was stopped or destroyed)
         */
        URI locate();
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration pollInterval;

    /**
     * @param requestTimeout bound on one look at {@code /health}, connecting included
     * @param pollInterval   pause between looks
     */
    public RuntimeHealthProbe(Duration requestTimeout, Duration pollInterval) {
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
        }
        this.requestTimeout = requestTimeout;
        this.pollInterval = pollInterval;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(requestTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** One look at {@code <baseUrl>/health}. */
    public Health check(URI baseUrl) throws InterruptedException {
        return check(baseUrl, requestTimeout);
    }

    private Health check(URI baseUrl, Duration timeout) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve("/health")).timeout(timeout).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new Health(Status.UNREACHABLE, e.toString());
        }
        if (response.statusCode() == 200) {
            return new Health(Status.READY, "ready", sessionOf(response.body()));
        }
        if (response.statusCode() != 503) {
            return new Health(Status.UNREACHABLE, "health answered " + response.statusCode());
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (JacksonException e) {
            return new Health(Status.UNREACHABLE, "health answered 503 without JSON");
        }
        if (!"failed".equals(body.path("status").asString(""))) {
            return new Health(Status.STARTING, body.path("status").asString("starting"));
        }
        for (JsonNode check : body.path("checks")) {
            if ("failed".equals(check.path("status").asString(""))) {
                return new Health(Status.FAILED, check.path("detail").asString(check.path("name").asString("a check") + " failed"));
            }
        }
        return new Health(Status.FAILED, "the preview runtime reports that it failed");
    }

    /** The session a ready runtime's answer names: the runtime's JSON, or nothing from a body that is not it. */
    private static @Nullable String sessionOf(String body) {
        try {
            JsonNode session = JSON.readTree(body).path("session");
            return session.isString() ? session.asString() : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    /**
     * Looks at the runtime until it is ready.
     *
     * @return the base url the runtime answered on
     * @throws MachineException not transient when the runtime reports it failed (the message is its
     *                          failing check's detail), when {@code target} says the machine cannot
     *                          become ready, or when {@code timeout} passes; transient when interrupted
     */
    public URI awaitReady(String machineId, Target target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Health last = new Health(Status.STARTING, "address not known yet");
        try {
            while (true) {
                URI baseUrl = target.locate();
                long remaining = deadline - System.nanoTime();
                if (baseUrl != null && remaining > 0) {
                    last = check(baseUrl, Duration.ofNanos(Math.min(remaining, requestTimeout.toNanos())));
                    if (last.status() == Status.READY) {
                        return baseUrl;
                    }
                    if (last.status() == Status.FAILED) {
                        throw new MachineException(last.detail(), false);
                    }
                }
                remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new MachineException("machine " + machineId + " was not ready within " + timeout
                            + " (last health: " + last.status().name().toLowerCase(Locale.ROOT) + ", " + last.detail() + ")", false);
                }
                Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), remaining / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineException("interrupted while waiting for machine " + machineId, true, e);
        }
    }
}
