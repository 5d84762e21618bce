package dev.velocitypreview.router;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.config.PositiveDuration;
import dev.velocitypreview.core.config.Secret;

/**
 * Settings of the router ({@code velocity.router.*}).
 *
 * @param previewDomain     host suffix of host-style preview URLs: {@code {sessionId}.<preview-domain>[:port]}; the
 *                          session API hands out such links, under its own {@code velocity.session-service.preview-domain},
 *                          which must be the same (both default {@code preview.localhost})
 * @param maxHold           how long a request for a session on its way (requested, provisioning, starting,
 *                          suspended) is held before the router answers 504; it covers a wake too: a request for a
 *                          suspended session publishes a RESUME and is held until the session is active again
 * @param unknownGrace      how long a request for a session the router has never heard of waits for it to
 *                          appear (its CREATE may be in flight) before the router answers 404
 * @param loadingRetryAfter the {@code Retry-After} of the 503 answered while the session directory is still loading
 * @param connectTimeout    how long connecting to a preview machine may take before the router answers 502
 * @param previewTokenSecret the secret (at least 32 bytes) session-service signs preview tokens with; private
 *                          previews need it and are refused with 503 while it is unset. Never logged
 * @param mode              how a request for an active session reaches its machine: {@code proxy} (this router
 *                          forwards it, streaming both ways) or {@code fly-replay} (this router answers with a
 *                          {@code fly-replay} header and Fly's proxy replays the request to the machine; needs
 *                          {@code fly.preview-app})
 * @param fly               settings of the {@code fly-replay} mode
 * @param activity          how this router tells cleanup which sessions are in use
 * @param startingPage      what a person's browser gets for a preview that is still on its way
 * @param kafka             where the session directory reads sessions from, and where this router publishes
 *                          activity and RESUME commands
 */
@ConfigurationProperties("velocity.router")
@Validated
public record RouterProperties(
        @DefaultValue("preview.localhost")
        @jakarta.validation.constraints.Pattern(regexp = DOMAIN, message = "must be a DNS name such as preview.localhost")
        String previewDomain,
        @DefaultValue("60s") @PositiveDuration Duration maxHold,
        @DefaultValue("3s") @PositiveDuration Duration unknownGrace,
        @DefaultValue("2s") @PositiveDuration Duration loadingRetryAfter,
        @DefaultValue("5s") @PositiveDuration Duration connectTimeout,
        @Nullable Secret previewTokenSecret,
        @DefaultValue("proxy") Mode mode,
        @DefaultValue @Valid Fly fly,
        @DefaultValue @Valid Activity activity,
        @DefaultValue @Valid StartingPage startingPage,
        @DefaultValue @Valid Kafka kafka) {

    static final String DOMAIN = "[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*";

    public RouterProperties {
        Objects.requireNonNull(previewDomain, "velocity.router.preview-domain is required");
        previewDomain = previewDomain.toLowerCase(Locale.ROOT);
        if (previewTokenSecret != null && previewTokenSecret.isBlank()) {
            // An empty environment variable means "not set", not "a secret of nothing".
            previewTokenSecret = null;
        }
        if (previewTokenSecret != null) {
            int bytes = previewTokenSecret.utf8Length();
            if (bytes < PreviewToken.MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("velocity.router.preview-token-secret must be at least "
                        + PreviewToken.MIN_SECRET_BYTES + " bytes, got " + bytes);
            }
        }
        Objects.requireNonNull(mode, "velocity.router.mode is required");
        Objects.requireNonNull(fly, "velocity.router.fly is required");
        if (mode == Mode.FLY_REPLAY && fly.previewApp() == null) {
            throw new IllegalArgumentException("velocity.router.mode is fly-replay but velocity.router.fly.preview-app is not set "
                    + "(the Fly app the preview machines belong to)");
        }
        Objects.requireNonNull(activity, "velocity.router.activity is required");
        Objects.requireNonNull(startingPage, "velocity.router.starting-page is required");
        Objects.requireNonNull(kafka, "velocity.router.kafka is required");
    }

    /**
     * The starting page: a browser navigation ({@code Accept: text/html} and {@code Sec-Fetch-Mode: navigate}) to a
     * preview whose session is on its way gets, at once, a small page of the router's own that shows the steps as they
     * happen and turns into the app by itself once the session is active. Other requests are held as ever.
     *
     * @param enabled serve the page and its status stream ({@code /__velocity/status} on every preview); when off,
     *                navigations are held like any other request and that path goes to the preview's machine
     */
    public record StartingPage(@DefaultValue("true") boolean enabled) {
    }

    /**
     * Activity: a session this router proxies requests for, or holds a WebSocket (or any forwarded request) of open,
     * is in use; cleanup suspends a session no router saw in use for its idle timeout.
     *
     * @param interval how often this router publishes what it saw to {@code preview.session-activity}: at most one
     *                 record per session per interval, and one every interval for a session with a WebSocket open.
     *                 Keep it well below the shortest idle timeout of a tier
     */
    public record Activity(@DefaultValue("5s") @PositiveDuration Duration interval) {
        public Activity {
            Objects.requireNonNull(interval, "velocity.router.activity.interval is required");
        }
    }

    /** How a request for an active session reaches its machine. */
    public enum Mode {
        /** The router forwards the request to the machine's URL and streams the response back. */
        PROXY,
        /** The router answers with {@code fly-replay} and Fly's proxy delivers the request to the machine. */
        FLY_REPLAY
    }

    /**
     * The {@code fly-replay} mode.
     *
     * @param previewApp  the Fly app the preview machines belong to (the provisioner's
     *                    {@code velocity.provisioner.machines.fly.app}); required in {@code fly-replay} mode
     * @param replayState the replay secret (32 to 256 of A-Z a-z 0-9 _ -), the same as the provisioner's
     *                    {@code velocity.provisioner.machines.fly.replay-state}; every {@code fly-replay} carries as
     *                    {@code state=} its session's own state derived from it, which Fly hands to the machine in
     *                    {@code fly-replay-src}, and each machine, given only its session's state, refuses requests
     *                    that reached it another way. Never logged, never sent
     */
    public record Fly(
            @Nullable @jakarta.validation.constraints.Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}",
                    message = "must be a Fly app name (lower-case letters, digits and dashes, at most 63)")
            String previewApp,
            @Nullable Secret replayState) {

        /** Nothing that could end the {@code state=} field of a fly-replay header ({@code ;}, {@code =}, {@code ,}, spaces). */
        private static final Pattern STATE = Pattern.compile("[A-Za-z0-9_-]{32,256}");

        public Fly {
            // Empty environment variables mean "not set".
            previewApp = previewApp == null || previewApp.isBlank() ? null : previewApp;
            replayState = replayState == null || replayState.isBlank() ? null : replayState;
            if (replayState != null && !STATE.matcher(replayState.value()).matches()) {
                // The value is a secret: say what is wrong with it, never what it is.
                throw new IllegalArgumentException("velocity.router.fly.replay-state must be 32 to 256 of A-Z a-z 0-9 _ -"
                        + " (for example: openssl rand -hex 32), got " + replayState.value().length() + " characters");
            }
        }
    }

    /**
     * Kafka settings of the session directory.
     *
     * @param bootstrapServers Kafka bootstrap servers
     * @param applicationId    Kafka Streams application id prefix; each router appends its instance id, because
     *                         the directory's stores are global and routers share nothing
     * @param instanceId       this router's suffix of the application id; a random one per start when unset
     * @param stateDir         Kafka Streams state directory; a temporary directory removed on stop when unset
     * @param streams          further Kafka Streams settings, passed through as they are (for example
     *                         {@code security.protocol}); they override the settings above
     * @param producer         further producer settings of the activity and RESUME producers, laid over
     *                         {@code spring.kafka.producer.*} (for example {@code compression.type}); the RESUME
     *                         producer refuses to start unless {@code acks=all} and idempotence stay on
     */
    public record Kafka(
            @DefaultValue("localhost:9092") @NotBlank String bootstrapServers,
            @DefaultValue("velocity-router") @NotBlank @jakarta.validation.constraints.Pattern(regexp = ID, message = ID_RULE)
            String applicationId,
            @Nullable @jakarta.validation.constraints.Pattern(regexp = ID, message = ID_RULE) String instanceId,
            @Nullable Path stateDir,
            @DefaultValue Map<String, String> streams,
            @DefaultValue Map<String, String> producer) {

        static final String ID = "[A-Za-z0-9._-]{1,100}";
        static final String ID_RULE = "must be 1-100 of A-Z a-z 0-9 . _ -";

        public Kafka {
            streams = streams == null ? Map.of() : Map.copyOf(streams);
            producer = producer == null ? Map.of() : Map.copyOf(producer);
        }
    }
}
