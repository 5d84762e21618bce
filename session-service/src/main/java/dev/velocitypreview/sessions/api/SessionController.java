package dev.velocitypreview.sessions.api;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.edits.SessionEditReports;
import dev.velocitypreview.sessions.SessionServiceProperties.TierLimits;
import dev.velocitypreview.sessions.api.SessionResponses.Accepted;
import dev.velocitypreview.sessions.api.SessionResponses.ExtendPending;
import dev.velocitypreview.sessions.api.SessionResponses.Session;
import dev.velocitypreview.sessions.api.SessionResponses.Sessions;
import dev.velocitypreview.sessions.identity.Caller;
import dev.velocitypreview.templates.Template;
import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code /v1/sessions}: the caller's own sessions. Writes are commands on Kafka, answered once
 * Kafka acknowledged them; reads come from the service's own view of the command and changelog
 * topics. Every refusal is an {@link ApiProblem} thrown before anything is published.
 */
@RestController
@RequestMapping("/v1/sessions")
class SessionController {

    private static final Logger LOG = LoggerFactory.getLogger(SessionController.class);

    private final CommandSender sender;
    private final SessionLookups lookups;
    private final SessionQuotas quotas;
    private final PreviewAccess previews;
    private final SessionTemplates templates;
    private final SessionServiceProperties properties;
    private final Clock clock;
    private final SessionMetrics metrics;
    private final SessionLinks links;
    private final SessionEditReports reports;
    private final int maxBody;

    SessionController(CommandSender sender, SessionLookups lookups, SessionQuotas quotas, PreviewAccess previews,
            SessionTemplates templates, SessionServiceProperties properties, Clock clock, SessionMetrics metrics,
            SessionEditReports reports) {
        this.sender = sender;
        this.reports = reports;
        this.lookups = lookups;
        this.quotas = quotas;
        this.previews = previews;
        this.templates = templates;
        this.properties = properties;
        this.clock = clock;
        this.metrics = metrics;
        this.links = SessionLinks.of(properties);
        this.maxBody = (int) properties.maxRequestBody().toBytes();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Accepted> create(
            @AuthenticationPrincipal Caller caller,
            @RequestHeader(name = PreviewHeaders.IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
            HttpServletRequest request) {
        IdempotencyKey key = IdempotencyKey.from(idempotencyKey);
        CreateSessionRequest body = CreateSessionRequest.parse(readBody(request));
        Tier tier = tierFor(caller, body.tier());
        Visibility visibility = previews.visibilityFor(body.visibility());
        Duration ttl = ttlFor(tier, body.ttl());
        // always the effective ttl, machine and idle timeout, so that the tier table here is the only place they are configured
        TierLimits limits = properties.limits(tier);
        Template template = templates.named(body.template());
        SessionTemplates.requireFits(template, tier, limits.machine());
        lookups.requireReady();
        UUID id = key == null ? UUID.randomUUID() : key.sessionIdFor(caller);
        if (key != null) {
            lookups.lookup(id).filter(known -> !body.sameAs(known, visibility)).ifPresent(known -> {
                throw ApiProblem.conflict("idempotency_key_reused",
                        "Idempotency-Key was used with a different request (session " + id + ")");
            });
        }
        quotas.admit(caller, id, () -> sender.send(SessionCommand.create(id, caller.userId(), body.projectId(),
                template.name(), tier, visibility, ttl, limits.machine(), limits.idleTimeout(), clock.instant())));
        metrics.requested(tier);
        LOG.atInfo().addKeyValue("session", id).addKeyValue("project", body.projectId())
                .addKeyValue("template", template.name()).addKeyValue("user", caller.userId()).addKeyValue("tier", tier.wireName())
                .addKeyValue("visibility", visibility.wireName()).addKeyValue("ttl", ttl)
                .addKeyValue("idempotent", key != null).log("session requested");
        String token = previews.tokenFor(id, visibility);
        URI statusUrl = links.statusUrl(id);
        return ResponseEntity.accepted().location(statusUrl).body(new Accepted(id, SessionStatus.REQUESTED.name(),
                visibility.wireName(), links.previewUrl(id, token), token, statusUrl));
    }

    /** A long poll when the session is not in the view yet: it may be a few milliseconds behind a 202. */
    @GetMapping("/{id}")
    CompletableFuture<Session> get(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                                   @RequestParam(name = "minVersion", required = false) @Nullable String minVersion) {
        UUID sessionId = SessionLookups.sessionId(id);
        long atLeast = SessionLookups.minVersion(minVersion);
        return lookups.find(sessionId, view -> caller.owns(view.userId()), atLeast)
                .thenApply(view -> Session.of(view, links, previews.tokenFor(view), reports));
    }

    @GetMapping
    Sessions list(
            @AuthenticationPrincipal Caller caller,
            @RequestParam(name = "status", required = false) @Nullable String status,
            @RequestParam(name = "limit", required = false) @Nullable String limit) {
        SessionStatus wanted = SessionLookups.status(status);
        int max = SessionLookups.limit(limit);
        List<Session> sessions = lookups
                .list(caller.userId(), view -> wanted == null || view.status() == wanted, max)
                .stream().map(view -> Session.of(view, links, previews.tokenFor(view), reports)).toList();
        return new Sessions(sessions);
    }

    /** Blocks its thread like POST does: it may have to wait for Kafka's acknowledgement anyway. */
    @DeleteMapping("/{id}")
    ResponseEntity<Session> terminate(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        UUID sessionId = SessionLookups.sessionId(id);
        SessionView view = lookups.findNow(sessionId, known -> caller.owns(known.userId()));
        if (view.status().isTerminal()) {
            LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("status", view.status())
                    .log("termination requested for a session that already ended, nothing to do");
        } else {
            sender.send(SessionCommand.terminate(sessionId, caller.userId(), TerminationReason.USER, clock.instant()));
            LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("user", caller.userId())
                    .log("session termination requested");
        }
        return ResponseEntity.accepted().location(links.statusUrl(sessionId)).body(Session.of(view, links, null, reports));
    }

    /**
     * Sets the session to expire {@code ttl} from now, within its tier's lifetime cap (counted from its
     * request). Owner or admin; anyone else's session is as unknown as a missing one. Answers 200 with the
     * session once this API's view shows the new expiry, or 202 with the session as known and its statusUrl
     * when that takes longer than {@code extend-wait}.
     */
    @PostMapping(path = "/{id}/extend", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<?>> extend(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                                                HttpServletRequest request) {
        UUID sessionId = SessionLookups.sessionId(id);
        ExtendSessionRequest body = ExtendSessionRequest.parse(readBody(request));
        SessionView view = lookups.findNow(sessionId, known -> caller.admin() || caller.owns(known.userId()));
        if (view.status().isTerminal()) {
            throw ended(view);
        }
        Instant now = clock.instant();
        Instant expiresAt = expiryWithinCap(view, body.ttl(), now);
        sender.send(SessionCommand.extend(sessionId, view.userId(), expiresAt, now));
        LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("user", view.userId())
                .addKeyValue("caller", caller.userId()).addKeyValue("ttl", body.ttl()).addKeyValue("expiresAt", expiresAt)
                .log("session extension requested");
        URI statusUrl = links.statusUrl(sessionId);
        return lookups.awaitApplied(sessionId, known -> expiresAt.equals(known.expiresAt()) || known.status().isTerminal(),
                properties.extendWait()).thenApply(applied -> {
                    if (applied.isPresent() && expiresAt.equals(applied.get().expiresAt())) {
                        return ResponseEntity.ok(sessionFor(caller, applied.get()));
                    }
                    if (applied.isPresent()) {
                        throw ended(applied.get());
                    }
                    SessionView known = lookups.lookup(sessionId).orElse(view);
                    LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("expiresAt", expiresAt)
                            .addKeyValue("waited", properties.extendWait())
                            .log("session extension stored but not yet in the view, answering 202");
                    return ResponseEntity.accepted().location(statusUrl)
                            .body(new ExtendPending(sessionFor(caller, known), expiresAt, statusUrl));
                });
    }

    /** The preview token goes to the owner only, never to an admin acting on someone's session. */
    private Session sessionFor(Caller caller, SessionView view) {
        return Session.of(view, links, caller.owns(view.userId()) ? previews.tokenFor(view) : null, reports);
    }

    private static ApiProblem ended(SessionView view) {
        return ApiProblem.conflict("session_ended", "session " + view.id() + " has ended (" + view.status()
                + (view.statusReason() == null ? "" : ", reason " + view.statusReason()) + ") and cannot be extended")
                .with("sessionStatus", view.status().name());
    }

    /**
     * {@code now + ttl}, unless that takes the session's whole lifetime, counted from its request, past its
     * tier's ttl cap (the tier table is the only place caps are configured). Whole milliseconds, as the
     * changelog carries timestamps no finer than microseconds and the answer waits for exactly this value.
     *
     * @throws ApiProblem 400 {@code extend_beyond_cap} naming the cap and the most that can still be granted
     */
    private Instant expiryWithinCap(SessionView view, Duration ttl, Instant now) {
        // a row from before tiers were recorded gets the smallest cap
        Tier tier = view.tier() == null ? Tier.FREE : view.tier();
        Duration cap = properties.limits(tier).ttlCap();
        Instant started = view.requestedAt() != null ? view.requestedAt()
                : view.createdAt() != null ? view.createdAt() : now;
        Instant latest = started.plus(cap);
        Duration left = Duration.between(now, latest);
        if (ttl.compareTo(left) > 0) {
            Duration most = left.isNegative() ? Duration.ZERO : Duration.ofSeconds(left.toSeconds());
            throw ApiProblem.badRequest("extend_beyond_cap", "ttl " + ttl + " would take session " + view.id()
                    + " past the " + tier.wireName() + " tier's lifetime cap of " + cap + " (counted from its request at "
                    + started + "); at most " + most + " (" + most.toSeconds() + " seconds) can still be granted")
                    .field(RequestedTtl.FIELD).with("tier", tier.wireName()).with("cap", cap.toString())
                    .with("capSeconds", cap.toSeconds()).with("lifetimeStartedAt", started.toString())
                    .with("maxTtl", most.toString()).with("maxTtlSeconds", most.toSeconds());
        }
        return now.plus(ttl).truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * The tier the session runs at: the caller's, or a lower one they asked for (tiers are ordered
     * free, pro, team). A tier comes from the identity provider, never from the request alone.
     */
    private static Tier tierFor(Caller caller, @Nullable Tier requested) {
        if (requested == null) {
            return caller.tier();
        }
        if (requested.compareTo(caller.tier()) > 0) {
            throw ApiProblem.forbidden("tier_not_allowed", "tier '" + requested.wireName() + "' is above your tier '"
                    + caller.tier().wireName() + "'; leave tier out to use yours").field(CreateSessionRequest.TIER);
        }
        return requested;
    }

    /** The lifetime asked for, or the tier's cap when none was. */
    private Duration ttlFor(Tier tier, @Nullable Duration requested) {
        TierLimits limits = properties.limits(tier);
        if (requested == null) {
            return limits.ttlCap();
        }
        if (requested.compareTo(limits.ttlCap()) > 0) {
            throw ApiProblem.unprocessable("ttl_above_cap", "ttl " + requested + " is longer than the " + tier.wireName()
                    + " tier allows (" + limits.ttlCap() + ")").field(CreateSessionRequest.TTL)
                    .with("tier", tier.wireName()).with("limit", limits.ttlCap().toString())
                    .with("limitSeconds", limits.ttlCap().toSeconds());
        }
        return requested;
    }

    private byte[] readBody(HttpServletRequest request) {
        if (request.getContentLengthLong() > maxBody) {
            throw tooLarge();
        }
        byte[] body;
        try {
            // one byte past the limit tells an oversized body (sent without a length) from one that fits
            body = request.getInputStream().readNBytes(maxBody + 1);
        } catch (IOException e) {
            throw ApiProblem.badRequest("unreadable_body", "request body could not be read: " + e.getMessage());
        }
        if (body.length > maxBody) {
            throw tooLarge();
        }
        return body;
    }

    private ApiProblem tooLarge() {
        return ApiProblem.tooLarge("request body must be at most " + maxBody + " bytes");
    }
}
