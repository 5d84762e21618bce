package dev.velocitypreview.machines.fly;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import dev.velocitypreview.core.config.PositiveDuration;
import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.core.retry.Backoff;

/**
 * How {@link FlyMachinesDriver} talks to the Fly Machines API and what machines it asks for.
 * A null argument takes its default; {@code token}, {@code app}, {@code image} and {@code regions}
 * have none. The Jakarta constraints on the fields are checked when a driver is made with these settings.
 *
 * @param baseUrl    the Machines API: {@code https://api.machines.dev} (default) from anywhere, or
 *                   {@code http://_api.internal:4280} from inside Fly's private network
 * @param token      sent as {@code Authorization: Bearer <token>}; never logged
 * @param app        the Fly app the preview machines belong to
 * @param image      the preview machine image (runtime and Node), e.g. {@code registry.fly.io/velocity-previews:v1}
 * @param regions    where machines are created, in order of preference: a region out of capacity moves
 *                   the create to the next one
 * @param service    how Fly's proxy reaches the runtime
 * @param restart    what Fly does when the runtime exits; default on-failure, at most 3 times
 * @param runtime    how the preview runtime inside the machine is set up and reached
 * @param timeouts   bounds on every call
 * @param rateLimits client-side limits that keep the driver inside Fly's documented rate limits
 * @param retry      how transient failures (timeouts, 408, 429, 5xx) are retried inside one driver call
 */
public record FlyMachinesSettings(URI baseUrl, Secret token, String app, @NotBlank String image, List<String> regions,
                                  Service service, Restart restart, Runtime runtime,
                                  @Valid Timeouts timeouts, @Valid RateLimits rateLimits, @Valid Retry retry) {

    public static final URI PUBLIC_API = URI.create("https://api.machines.dev");
    public static final URI PRIVATE_API = URI.create("http://_api.internal:4280");

    /** Fly app names: lower-case letters, digits and dashes. */
    private static final Pattern APP_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Fly region codes, e.g. {@code ams}, {@code iad}. */
    private static final Pattern REGION = Pattern.compile("[a-z]{3}");

    public FlyMachinesSettings {
        baseUrl = baseUrl != null ? baseUrl : PUBLIC_API;
        if ((!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("baseUrl must be an http(s) URL with a host, got " + baseUrl);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        if (app == null || !APP_NAME.matcher(app).matches()) {
            throw new IllegalArgumentException("app must be a Fly app name (lower-case letters, digits, dashes), got " + app);
        }
        Objects.requireNonNull(regions, "regions == null");
        regions = List.copyOf(regions);
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("regions must name at least one Fly region");
        }
        for (String region : regions) {
            if (!REGION.matcher(region).matches()) {
                throw new IllegalArgumentException("regions must be Fly region codes of three lower-case letters, got " + region);
            }
        }
        if (regions.stream().distinct().count() != regions.size()) {
            throw new IllegalArgumentException("regions must not repeat a region, got " + regions);
        }
        service = service != null ? service : Service.DEFAULT;
        restart = restart != null ? restart : Restart.DEFAULT;
        runtime = runtime != null ? runtime : Runtime.DEFAULT;
        timeouts = timeouts != null ? timeouts : Timeouts.DEFAULT;
        rateLimits = rateLimits != null ? rateLimits : RateLimits.FLY;
        retry = retry != null ? retry : Retry.DEFAULT;
    }

    /** Every default: public API, Fly's rate limits. */
    public static FlyMachinesSettings of(String token, String app, String image, List<String> regions) {
        return new FlyMachinesSettings(null, new Secret(token), app, image, regions, null, null, null, null, null, null);
    }

    public FlyMachinesSettings withBaseUrl(URI url) {
        return new FlyMachinesSettings(url, token, app, image, regions, service, restart, runtime, timeouts, rateLimits, retry);
    }

    public FlyMachinesSettings withRuntime(Runtime newRuntime) {
        return new FlyMachinesSettings(baseUrl, token, app, image, regions, service, restart, newRuntime, timeouts, rateLimits, retry);
    }

    public FlyMachinesSettings withTimeouts(Timeouts newTimeouts) {
        return new FlyMachinesSettings(baseUrl, token, app, image, regions, service, restart, runtime, newTimeouts, rateLimits, retry);
    }

    public FlyMachinesSettings withRateLimits(RateLimits newLimits) {
        return new FlyMachinesSettings(baseUrl, token, app, image, regions, service, restart, runtime, timeouts, newLimits, retry);
    }

    public FlyMachinesSettings withRetry(Retry newRetry) {
        return new FlyMachinesSettings(baseUrl, token, app, image, regions, service, restart, runtime, timeouts, rateLimits, newRetry);
    }

    /** Fly's {@code autostop} for a service: what its proxy does with a machine nobody sends requests to. */
    public enum Autostop {
        OFF, STOP, SUSPEND;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Fly's {@code config.services[0]}: where the runtime listens and what Fly's proxy may do with the machine.
     *
     * @param internalPort the runtime's port inside the machine; default 8080
     * @param autostart    whether Fly's proxy starts a stopped machine when a request (or replay) arrives; default true
     * @param autostop     whether Fly's proxy stops or suspends an idle machine; default stop
     */
    public record Service(int internalPort, boolean autostart, Autostop autostop) {

        public static final Service DEFAULT = new Service(8080, true, Autostop.STOP);

        public Service {
            if (internalPort < 1 || internalPort > 65535) {
                throw new IllegalArgumentException("internalPort must be from 1 to 65535, got " + internalPort);
            }
            Objects.requireNonNull(autostop, "autostop == null");
        }
    }

    /** Fly's {@code config.restart.policy}. */
    public enum RestartPolicy {
        NO("no"), ON_FAILURE("on-failure"), ALWAYS("always");

        private final String wireName;

        RestartPolicy(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** @param maxRetries only for on-failure: how many restarts before the machine is left stopped */
    public record Restart(RestartPolicy policy, int maxRetries) {

        public static final Restart DEFAULT = new Restart(RestartPolicy.ON_FAILURE, 3);

        public Restart {
            Objects.requireNonNull(policy, "policy == null");
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
            }
        }
    }

    /**
     * The preview runtime inside a machine.
     *
     * @param workDir           where the runtime writes the project's files ({@code PREVIEW_WORK_DIR}); default /srv/preview
     * @param bind              the address it listens on ({@code PREVIEW_BIND}); default {@code ::}, as Fly's private
     *                          network is IPv6
     * @param healthUrlTemplate the runtime's base URL as this driver reaches it, with placeholders {@code {machine}},
     *                          {@code {app}} and {@code {port}}; default {@code http://{machine}.vm.{app}.internal:{port}}
     *                          (Fly's private DNS). It becomes the machine's url.
     * @param maxBundleBytes    the largest project accepted, counted as its base64 bundle in {@code PREVIEW_BUNDLE_B64};
     *                          at most {@link FlyMachinesDriver#MAX_BUNDLE_ENV_BYTES} (what Linux accepts for one
     *                          environment string); default that
     * @param replaySecret      the routers' replay secret ({@code velocity.router.fly.replay-state}); each machine is
     *                          given its own session's state derived from it ({@code PREVIEW_REPLAY_STATE}, see
     *                          {@code SessionReplayState}), never the secret; null: machines check no replay state
     */
    public record Runtime(String workDir, String bind, String healthUrlTemplate, int maxBundleBytes,
                          @Nullable Secret replaySecret) {

        public static final Runtime DEFAULT = new Runtime("/srv/preview", "::",
                "http://{machine}.vm.{app}.internal:{port}", FlyMachinesDriver.MAX_BUNDLE_ENV_BYTES, null);

        public Runtime {
            if (workDir == null || !workDir.startsWith("/")) {
                throw new IllegalArgumentException("workDir must be an absolute path, got " + workDir);
            }
            if (bind == null || bind.isBlank()) {
                throw new IllegalArgumentException("bind must not be blank");
            }
            if (healthUrlTemplate == null || !healthUrlTemplate.startsWith("http://") && !healthUrlTemplate.startsWith("https://")) {
                throw new IllegalArgumentException("healthUrlTemplate must be an http(s) URL template, got " + healthUrlTemplate);
            }
            if (maxBundleBytes < 1 || maxBundleBytes > FlyMachinesDriver.MAX_BUNDLE_ENV_BYTES) {
                throw new IllegalArgumentException("maxBundleBytes must be from 1 to " + FlyMachinesDriver.MAX_BUNDLE_ENV_BYTES
                        + ", got " + maxBundleBytes);
            }
        }

        public Runtime withHealthUrlTemplate(String template) {
            return new Runtime(workDir, bind, template, maxBundleBytes, replaySecret);
        }

        public Runtime withMaxBundleBytes(int max) {
            return new Runtime(workDir, bind, healthUrlTemplate, max, replaySecret);
        }

        public Runtime withReplaySecret(@Nullable Secret secret) {
            return new Runtime(workDir, bind, healthUrlTemplate, maxBundleBytes, secret);
        }
    }

    /**
     * @param connect            connecting to the API
     * @param call               one HTTP exchange with the API (a wait adds its own slice to it)
     * @param operation          one driver call other than create: rate-limit queueing, retries and backoff included
     * @param create             one create: lookups, region fallback, queueing, retries included
     * @param waitSlice          the {@code timeout} of one {@code /wait} request; Fly refuses more than 60 s
     * @param stopGrace          how long Fly gives the runtime after SIGINT before it kills it
     * @param healthRequest      one look at the runtime's {@code /health}
     * @param healthPollInterval pause between looks at a starting runtime's health
     */
    public record Timeouts(@NotNull @PositiveDuration Duration connect, @NotNull @PositiveDuration Duration call,
                           @NotNull @PositiveDuration Duration operation, @NotNull @PositiveDuration Duration create,
                           @NotNull Duration waitSlice, @NotNull @PositiveDuration Duration stopGrace,
                           @NotNull @PositiveDuration Duration healthRequest,
                           @NotNull @PositiveDuration Duration healthPollInterval) {

        public static final Duration MAX_WAIT_SLICE = Duration.ofSeconds(60);
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofMinutes(2), Duration.ofMinutes(5), MAX_WAIT_SLICE, Duration.ofSeconds(10),
                Duration.ofSeconds(2), Duration.ofMillis(250));

        /** Fly's own bounds; what every duration shares (positive) is a constraint, checked with the settings. */
        public Timeouts {
            if (waitSlice != null && (waitSlice.compareTo(Duration.ofSeconds(1)) < 0 || waitSlice.compareTo(MAX_WAIT_SLICE) > 0)) {
                throw new IllegalArgumentException("waitSlice must be from 1 s to 60 s (Fly refuses longer waits), got " + waitSlice);
            }
            if (stopGrace != null && stopGrace.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("stopGrace must be whole seconds, got " + stopGrace);
            }
        }

        public Timeouts withCreate(Duration value) {
            return new Timeouts(connect, call, operation, value, waitSlice, stopGrace, healthRequest, healthPollInterval);
        }

        public Timeouts withHealthPollInterval(Duration value) {
            return new Timeouts(connect, call, operation, create, waitSlice, stopGrace, healthRequest, value);
        }
    }

    /**
     * Token buckets, one per kind of request, shared by every call of one driver.
     *
     * @param actionsPerSecond sustained rate of each action (create, list, wait, start, stop, suspend, destroy); Fly: 1
     * @param actionBurst      requests of one action allowed at once after a quiet spell; Fly: 3
     * @param getsPerSecond    sustained rate of "get machine"; Fly: 5
     * @param getBurst         gets allowed at once; Fly: 10
     */
    public record RateLimits(@Positive double actionsPerSecond, @Min(1) int actionBurst, @Positive double getsPerSecond,
                             @Min(1) int getBurst) {

        /** Fly's documented limits. */
        public static final RateLimits FLY = new RateLimits(1, 3, 5, 10);
    }

    /**
     * @param maxAttempts    HTTP attempts per step (a create per region, a start, a lookup...) before the call fails
     *                       with a transient {@link dev.velocitypreview.machines.MachineException}
     * @param backoff        the pause after a transient failure without {@code Retry-After}; default from 250 ms up to 10 s
     * @param lookupAttempts after an ambiguous create, how many times the session's machine is looked up
     *                       before creating again (Fly's list can lag behind its writes)
     * @param lookupInterval pause between those lookups
     */
    public record Retry(@Min(1) int maxAttempts, @NotNull Backoff backoff, @Min(1) int lookupAttempts,
                        @NotNull @PositiveDuration Duration lookupInterval) {

        public static final Retry DEFAULT = new Retry(5, new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10)), 3,
                Duration.ofSeconds(1));
    }
}
