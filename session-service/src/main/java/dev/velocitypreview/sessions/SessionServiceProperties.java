package dev.velocitypreview.sessions;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.config.PositiveDuration;
import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

/**
 * Settings of the session service, under {@code velocity.session-service}.
 *
 * @param kafka                how the service reaches Kafka
 * @param directory            the local view of sessions that answers reads
 * @param previewBaseUrl       where the routers answer, as browsers reach them: the scheme and port of every
 *                             previewUrl, and in {@code path} style its whole base ({@code <base>/s/<id>/})
 * @param previewStyle         the form of a session's previewUrl: {@code host}
 *                             ({@code <scheme>://<id>.<preview-domain>[:<port>]/}, scheme and port from
 *                             preview-base-url; each preview is its own origin, so a dev server's absolute paths
 *                             such as {@code /@vite/client} work and previews cannot read each other's cookies) or
 *                             {@code path} ({@code <preview-base-url>/s/<id>/}; for static previews and tools, as a
 *                             dev server's pages break under a path prefix). The routers accept both either way
 * @param previewDomain        the host suffix of host-style previews; must be the routers'
 *                             {@code velocity.router.preview-domain}, whose default it shares. In production a
 *                             wildcard DNS name ({@code *.<preview-domain>}) pointing at the routers, with a
 *                             certificate for it
 * @param publicBaseUrl        this API's address as clients see it; a session's statusUrl is
 *                             {@code <base>/v1/sessions/<id>}
 * @param unknownSessionGrace  how long a read of a session the view does not know yet waits for it
 *                             before answering 404 (the view may trail a 202 by milliseconds)
 * @param maxRequestBody       largest request body accepted; larger ones get 413
 * @param sendTimeout          how long a command may take to be acknowledged by Kafka before the
 *                             request answers 503 instead of 202
 * @param auth                 how callers prove who they are (bearer JWTs)
 * @param tiers                limits per tier: {@code tiers.<free|pro|team>.max-concurrent-sessions},
 *                             {@code .ttl-cap}, {@code .machine.cpu-kind}, {@code .machine.cpus},
 *                             {@code .machine.memory-mb}, {@code .idle-timeout}. Defaults: free 2, 30m,
 *                             shared 1 cpu 256 MB, 10m; pro 10, 2h, shared 1 cpu 1024 MB, 30m; team 50, 8h,
 *                             shared 2 cpus 2048 MB, 60m. Each value replaces its default alone (so
 *                             {@code VELOCITY_SESSIONSERVICE_TIERS_FREE_IDLETIMEOUT=30s}, dashes dropped as Spring reads
 *                             environment variables inside a map, changes only the free
 *                             tier's idle timeout); a machine, when given, is given whole (cpu-kind, cpus and
 *                             memory-mb)
 * @param defaultVisibility    who may open a preview when the request does not say: {@code public}
 *                             (anyone with the unguessable URL) or {@code private} (only with a
 *                             preview token, handed to the owner)
 * @param previewTokenSecret   HMAC secret (at least 32 bytes) shared with the routers, which check the
 *                             preview tokens of private sessions; without it private sessions are refused
 * @param previewTokenTtl      how long a preview token handed out with a private session stays valid
 * @param extendWait           how long {@code POST /v1/sessions/{id}/extend} waits, once the EXTEND is stored,
 *                             for this API's view to show the new expiry; it answers 200 with the session when
 *                             it does, 202 with the session as known and its statusUrl when it does not
 * @param cleanupTimeout       how long {@code POST /v1/admin/cleanup} waits for a report from every partition of
 *                             {@code preview.cleanup-requests} before answering 504 with how many answered
 */
@ConfigurationProperties("velocity.session-service")
@Validated
public record SessionServiceProperties(
        @DefaultValue @Valid Kafka kafka,
        @DefaultValue @Valid Directory directory,
        @DefaultValue("http://localhost:8081") URI previewBaseUrl,
        @DefaultValue("host") PreviewStyle previewStyle,
        @DefaultValue("preview.localhost")
        @jakarta.validation.constraints.Pattern(regexp = PREVIEW_DOMAIN,
                message = "must be a DNS name such as preview.localhost") String previewDomain,
        @DefaultValue("http://localhost:8080") URI publicBaseUrl,
        @DefaultValue("2s") Duration unknownSessionGrace,
        @DefaultValue("16KB") DataSize maxRequestBody,
        @DefaultValue("5s") Duration sendTimeout,
        @DefaultValue @Valid Auth auth,
        @Nullable Map<Tier, TierSettings> tiers,
        @DefaultValue("public") Visibility defaultVisibility,
        @Nullable Secret previewTokenSecret,
        @DefaultValue("15m") @PositiveDuration Duration previewTokenTtl,
        @DefaultValue("5s") @PositiveDuration Duration extendWait,
        @DefaultValue("30s") @PositiveDuration Duration cleanupTimeout) {

    /** The routers' rule for {@code velocity.router.preview-domain}, so that the two settings take the same names. */
    static final String PREVIEW_DOMAIN = "[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*";

    public SessionServiceProperties {
        Objects.requireNonNull(kafka, "kafka == null");
        Objects.requireNonNull(previewStyle, "preview-style == null");
        Objects.requireNonNull(previewDomain, "preview-domain == null");
        previewDomain = previewDomain.toLowerCase(java.util.Locale.ROOT);
        Objects.requireNonNull(directory, "directory == null");
        Objects.requireNonNull(auth, "auth == null");
        tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
        for (Map.Entry<Tier, TierSettings> tier : tiers.entrySet()) {
            // checked now, so a bad value stops the start rather than the first session of that tier
            tier.getValue().over(TierLimits.DEFAULTS.get(tier.getKey()));
        }
        Objects.requireNonNull(defaultVisibility, "default-visibility == null");
        if (previewTokenSecret != null && previewTokenSecret.value().isEmpty()) {
            previewTokenSecret = null;
        }
        if (previewTokenSecret != null && previewTokenSecret.utf8Length() < PreviewToken.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("preview-token-secret must be at least " + PreviewToken.MIN_SECRET_BYTES
                    + " bytes");
        }
        if (defaultVisibility == Visibility.PRIVATE && previewTokenSecret == null) {
            throw new IllegalArgumentException(
                    "default-visibility is private, which needs preview-token-secret (shared with the routers)");
        }
        requireHttpUrl("preview-base-url", previewBaseUrl);
        requireHttpUrl("public-base-url", publicBaseUrl);
        if (unknownSessionGrace == null || unknownSessionGrace.isNegative()) {
            throw new IllegalArgumentException("unknown-session-grace must be zero or positive, got " + unknownSessionGrace);
        }
        if (maxRequestBody == null || maxRequestBody.toBytes() < 1 || maxRequestBody.toBytes() > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("max-request-body must be between 1B and 2GB, got " + maxRequestBody);
        }
        if (sendTimeout == null || sendTimeout.toMillis() < 1 || sendTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("send-timeout must be at least 1ms and fit in an int of milliseconds, got "
                    + sendTimeout);
        }
    }

    /** The form of a session's previewUrl ({@code preview-style}). */
    public enum PreviewStyle {
        /** {@code <scheme>://<id>.<preview-domain>[:<port>]/}: each preview its own origin. */
        HOST,
        /** {@code <preview-base-url>/s/<id>/}. */
        PATH
    }

    /** The limits of {@code tier}: its defaults with what is configured laid over them; every tier has some. */
    public TierLimits limits(Tier tier) {
        TierLimits defaults = TierLimits.DEFAULTS.get(tier);
        TierSettings configured = tiers.get(tier);
        return configured == null ? defaults : configured.over(defaults);
    }

    /**
     * What is configured of one tier ({@code tiers.<tier>.*}); each value left out keeps the tier's default
     * ({@link TierLimits}).
     *
     * @param maxConcurrentSessions how many sessions a user of this tier may have that have not ended
     * @param ttlCap                the longest lifetime a session may ask for, and the lifetime of one that does not
     * @param machine               the machine a session of this tier runs on, given whole
     * @param idleTimeout           how long a preview may go unused before cleanup suspends it
     */
    public record TierSettings(@Nullable Integer maxConcurrentSessions, @Nullable Duration ttlCap,
                               @Nullable MachineSize machine, @Nullable Duration idleTimeout) {

        TierLimits over(TierLimits defaults) {
            return new TierLimits(maxConcurrentSessions == null ? defaults.maxConcurrentSessions() : maxConcurrentSessions,
                    ttlCap == null ? defaults.ttlCap() : ttlCap,
                    machine == null ? defaults.machine() : machine,
                    idleTimeout == null ? defaults.idleTimeout() : idleTimeout);
        }
    }

    private static void requireHttpUrl(String name, @Nullable URI url) {
        if (url == null || url.getHost() == null
                || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException(name + " must be an absolute http(s) URL, got " + url);
        }
    }

    /**
     * @param bootstrapServers Kafka bootstrap servers, for the producer, the view and topic setup
     * @param producer         raw producer settings (for example {@code compression.type}), laid over {@code spring.kafka.producer.*}
     *                         and over what this service sets (bootstrap servers, {@code acks}, idempotence,
     *                         {@code linger.ms}, timeouts from send-timeout); weakening {@code acks} or idempotence is refused at startup
     * @param streams          raw Kafka Streams settings for the view (for example security); they
     *                         override the view's other settings, as in the router
     * @param createTopics     create the command and changelog topics with broker defaults when
     *                         they are missing; when false, the view waits until someone else has
     */
    public record Kafka(
            @DefaultValue("localhost:9092") @NotBlank String bootstrapServers,
            @Nullable Map<String, String> producer,
            @Nullable Map<String, String> streams,
            @DefaultValue("true") boolean createTopics) {

        public Kafka {
            producer = producer == null ? Map.of() : Map.copyOf(producer);
            streams = streams == null ? Map.of() : Map.copyOf(streams);
        }
    }

    /**
     * @param applicationId Kafka Streams application id of the view; the instance id is appended,
     *                      because every instance keeps a complete view of its own
     * @param instanceId    this instance's suffix for the application id; random when empty
     * @param stateDir      Kafka Streams state directory (the view is in memory; Kafka Streams keeps
     *                      only its lock files here); a temporary one, removed on stop, when empty
     */
    public record Directory(
            @DefaultValue("velocity-session-service") @NotBlank String applicationId,
            @Nullable String instanceId,
            @Nullable Path stateDir) {

        public Directory {
            if (instanceId != null && instanceId.isBlank()) {
                instanceId = null;
            }
        }
    }

    /**
     * Bearer JWTs, verified by Spring Security's resource server. Exactly one of {@code hs256-secret}
     * and {@code jwks-uri} must be set.
     *
     * @param hs256Secret   shared secret (UTF-8, at least 32 bytes) of HS256-signed tokens: the
     *                      embedded default, or Supabase's legacy JWT secret
     * @param jwksUri       where the identity provider publishes its signing keys (JWK set), e.g.
     *                      {@code https://<project>.supabase.co/auth/v1/.well-known/jwks.json}
     * @param jwsAlgorithms signature algorithms accepted from the JWK set (not used with hs256-secret)
     * @param issuer        when set, tokens must carry exactly this {@code iss}
     * @param audience      when set, the token's {@code aud} must contain it (Supabase: {@code authenticated})
     * @param rolesClaim    claim holding the caller's roles, a JSON array or a space-separated string;
     *                      a dotted path ({@code app_metadata.roles}) reaches into nested objects when no
     *                      top-level claim has the whole name
     * @param adminRole     the role that opens {@code /v1/admin/**} and the actuator beyond health
     * @param metricsRole   a role that opens {@code /actuator/prometheus} alone, for a scraper's token (admins may
     *                      read it too); see docs/metrics.md
     * @param tierClaim     claim holding the caller's tier ({@code free}, {@code pro}, {@code team}); free
     *                      when the token has none; dotted paths as for roles-claim
     * @param clockSkew     tolerance when checking {@code exp} and {@code nbf}
     */
    public record Auth(
            @Nullable Secret hs256Secret,
            @Nullable URI jwksUri,
            @DefaultValue({"RS256", "ES256"}) List<SignatureAlgorithm> jwsAlgorithms,
            @Nullable String issuer,
            @Nullable String audience,
            @DefaultValue("roles") @NotBlank String rolesClaim,
            @DefaultValue("admin") @NotBlank String adminRole,
            @DefaultValue("metrics") @NotBlank String metricsRole,
            @DefaultValue("tier") @NotBlank String tierClaim,
            @DefaultValue("60s") Duration clockSkew) {

        /** Shorter HS256 secrets can be brute-forced offline from one token. */
        public static final int MIN_SECRET_BYTES = 32;

        public Auth {
            hs256Secret = hs256Secret == null || hs256Secret.value().isEmpty() ? null : hs256Secret;
            issuer = issuer == null || issuer.isBlank() ? null : issuer;
            audience = audience == null || audience.isBlank() ? null : audience;
            if ((hs256Secret == null) == (jwksUri == null)) {
                throw new IllegalArgumentException("auth: set exactly one of auth.hs256-secret (HS256 tokens, at least "
                        + MIN_SECRET_BYTES + " bytes) and auth.jwks-uri (the identity provider's JWK set), got "
                        + (hs256Secret == null ? "neither" : "both"));
            }
            if (hs256Secret != null && hs256Secret.utf8Length() < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("auth.hs256-secret must be at least " + MIN_SECRET_BYTES + " bytes");
            }
            if (jwksUri != null) {
                requireHttpUrl("auth.jwks-uri", jwksUri);
            }
            if (jwsAlgorithms == null || jwsAlgorithms.isEmpty()) {
                throw new IllegalArgumentException("auth.jws-algorithms must name at least one algorithm");
            }
            jwsAlgorithms = List.copyOf(jwsAlgorithms);
            if (clockSkew == null || clockSkew.isNegative()) {
                throw new IllegalArgumentException("auth.clock-skew must be zero or positive, got " + clockSkew);
            }
        }
    }

    /**
     * What one tier may use. Defaults:
     *
     * <table>
     *   <caption>limits per tier</caption>
     *   <tr><th>tier</th><th>max-concurrent-sessions</th><th>ttl-cap</th><th>machine</th><th>idle-timeout</th></tr>
     *   <tr><td>free</td><td>2</td><td>30m</td><td>shared, 1 cpu, 256 MB</td><td>10m</td></tr>
     *   <tr><td>pro</td><td>10</td><td>2h</td><td>shared, 1 cpu, 1024 MB</td><td>30m</td></tr>
     *   <tr><td>team</td><td>50</td><td>8h</td><td>shared, 2 cpus, 2048 MB</td><td>60m</td></tr>
     * </table>
     *
     * @param maxConcurrentSessions how many sessions a user of this tier may have that have not ended
     *                              (REQUESTED through STOPPING); one more is refused with 429
     * @param ttlCap                the longest lifetime a session may ask for, and the lifetime of one
     *                              that does not ask
     * @param machine               the machine a session of this tier runs on; it travels in the CREATE
     *                              command, so the provisioner gives each session exactly this size
     * @param idleTimeout           how long a preview may go unused before cleanup suspends it
     */
    public record TierLimits(int maxConcurrentSessions, Duration ttlCap, MachineSize machine, Duration idleTimeout) {

        static final Map<Tier, TierLimits> DEFAULTS = Map.of(
                Tier.FREE, new TierLimits(2, Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10)),
                Tier.PRO, new TierLimits(10, Duration.ofHours(2), new MachineSize("shared", 1, 1024), Duration.ofMinutes(30)),
                Tier.TEAM, new TierLimits(50, Duration.ofHours(8), new MachineSize("shared", 2, 2048), Duration.ofMinutes(60)));


        public TierLimits {
            if (maxConcurrentSessions < 1) {
                throw new IllegalArgumentException("tiers.*.max-concurrent-sessions must be at least 1, got "
                        + maxConcurrentSessions);
            }
            if (ttlCap == null || ttlCap.isNegative() || ttlCap.isZero()) {
                throw new IllegalArgumentException("tiers.*.ttl-cap must be a positive duration, got " + ttlCap);
            }
            if (machine == null) {
                throw new IllegalArgumentException("tiers.*.machine is required");
            }
            if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("tiers.*.idle-timeout must be a positive duration, got " + idleTimeout);
            }
        }
    }
}
