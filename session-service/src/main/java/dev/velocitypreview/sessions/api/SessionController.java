package dev.velocitypreview.sessions.api;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
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
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.api.SessionResponses.Accepted;
import dev.velocitypreview.sessions.api.SessionResponses.Session;
import dev.velocitypreview.sessions.api.SessionResponses.Sessions;
import dev.velocitypreview.sessions.command.CommandNotAcknowledgedException;
import dev.velocitypreview.sessions.command.CommandPublisher;
import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code /v1/sessions}. Writes are commands on Kafka, answered once Kafka acknowledged them;
 * reads come from the service's own view of the command and changelog topics. Every refusal is
 * an {@link ApiProblem} thrown before anything is published.
 */
@RestController
@RequestMapping("/v1/sessions")
class SessionController {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");
    private static final Logger LOG = LoggerFactory.getLogger(SessionController.class);
    private static final Comparator<SessionView> NEWEST_FIRST = Comparator
            .comparing(SessionView::requestedAt, Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
            .thenComparing(SessionView::createdAt, Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
            .thenComparing(SessionView::id);

    private final CommandPublisher publisher;
    private final SessionDirectory directory;
    private final Clock clock;
    private final SessionMetrics metrics;
    private final SessionLinks links;
    private final Duration grace;
    private final int maxBody;

    SessionController(CommandPublisher publisher, SessionDirectory directory, SessionServiceProperties properties,
            Clock clock, SessionMetrics metrics) {
        this.publisher = publisher;
        this.directory = directory;
        this.clock = clock;
        this.metrics = metrics;
        this.links = SessionLinks.of(properties.previewBaseUrl(), properties.publicBaseUrl());
        this.grace = properties.unknownSessionGrace();
        this.maxBody = (int) properties.maxRequestBody().toBytes();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Accepted> create(
            @RequestHeader(name = PreviewHeaders.USER_ID, required = false) @Nullable String user,
            @RequestHeader(name = PreviewHeaders.IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
            HttpServletRequest request) {
        Caller caller = Caller.from(user);
        IdempotencyKey key = IdempotencyKey.from(idempotencyKey);
        CreateSessionRequest body = CreateSessionRequest.parse(readBody(request));
        UUID id = key == null ? UUID.randomUUID() : key.sessionIdFor(caller);
        if (key != null) {
            requireReady();
            directory.lookup(id).filter(known -> !body.sameAs(known, caller)).ifPresent(known -> {
                throw ApiProblem.conflict("idempotency_key_reused",
                        "Idempotency-Key was used with a different request (session " + id + ")");
            });
        }
        publish(SessionCommand.create(id, caller.userId(), body.projectId(), body.tier(), clock.instant()));
        metrics.requested(body.tier());
        LOG.atInfo().addKeyValue("session", id).addKeyValue("project", body.projectId())
                .addKeyValue("user", caller.userId()).addKeyValue("tier", body.tier().wireName())
                .addKeyValue("idempotent", key != null).log("session requested");
        URI statusUrl = links.statusUrl(id);
        return ResponseEntity.accepted().location(statusUrl)
                .body(new Accepted(id, SessionStatus.REQUESTED.name(), links.previewUrl(id), statusUrl));
    }

    /** A long poll when the session is not in the view yet: it may be a few milliseconds behind a 202. */
    @GetMapping("/{id}")
    CompletableFuture<Session> get(
            @RequestHeader(name = PreviewHeaders.USER_ID, required = false) @Nullable String user,
            @PathVariable("id") String id) {
        Caller caller = Caller.from(user);
        UUID sessionId = sessionId(id);
        return owned(sessionId, caller).thenApply(view -> Session.of(view, links));
    }

    @GetMapping
    Sessions list(
            @RequestHeader(name = PreviewHeaders.USER_ID, required = false) @Nullable String user,
            @RequestParam(name = "status", required = false) @Nullable String status,
            @RequestParam(name = "limit", required = false) @Nullable String limit) {
        Caller caller = Caller.from(user);
        SessionStatus wanted = status(status);
        int max = limit(limit);
        requireReady();
        List<Session> sessions = directory
                .find(view -> caller.owns(view.userId()) && (wanted == null || view.status() == wanted))
                .stream().sorted(NEWEST_FIRST).limit(max).map(view -> Session.of(view, links)).toList();
        return new Sessions(sessions);
    }

    /** Blocks its thread like POST does: it may have to wait for Kafka's acknowledgement anyway. */
    @DeleteMapping("/{id}")
    ResponseEntity<Session> terminate(
            @RequestHeader(name = PreviewHeaders.USER_ID, required = false) @Nullable String user,
            @PathVariable("id") String id) {
        Caller caller = Caller.from(user);
        UUID sessionId = sessionId(id);
        SessionView view;
        try {
            view = owned(sessionId, caller).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        if (view.status().isTerminal()) {
            LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("status", view.status())
                    .log("termination requested for a session that already ended, nothing to do");
        } else {
            publish(SessionCommand.terminate(sessionId, caller.userId(), TerminationReason.USER, clock.instant()));
            LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("user", caller.userId())
                    .log("session termination requested");
        }
        return ResponseEntity.accepted().location(links.statusUrl(sessionId)).body(Session.of(view, links));
    }

    /**
     * The session once the view knows it and it belongs to the caller. Someone else's session is
     * as unknown as a missing one, so ids cannot be probed.
     */
    private CompletableFuture<SessionView> owned(UUID id, Caller caller) {
        requireReady();
        return directory.await(id, any -> true, grace).handle((view, error) -> {
            if (error == null && caller.owns(view.userId())) {
                return view;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause != null && !(cause instanceof TimeoutException)) {
                throw new CompletionException(cause);
            }
            throw ApiProblem.notFound("session " + id + " not found");
        });
    }

    private void requireReady() {
        if (!directory.isReady()) {
            throw ApiProblem.unavailable("view_not_ready",
                    "the session view is still loading (" + directory.state() + "); retry shortly", RETRY_AFTER, null);
        }
    }

    private void publish(SessionCommand command) {
        try {
            publisher.publish(command);
        } catch (CommandNotAcknowledgedException e) {
            throw ApiProblem.unavailable("not_acknowledged",
                    "the request could not be stored in time; retry it"
                            + (command.type() == SessionCommand.Type.CREATE
                                    ? " (with an Idempotency-Key, a retry cannot create a second session)" : ""),
                    RETRY_AFTER, e);
        }
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

    private static UUID sessionId(String raw) {
        try {
            return SessionId.parse("session id", raw);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("invalid_session_id", e.getMessage());
        }
    }

    private static @Nullable SessionStatus status(@Nullable String raw) {
        if (raw == null) {
            return null;
        }
        for (SessionStatus status : SessionStatus.values()) {
            if (status.name().equals(raw.toUpperCase(Locale.ROOT))) {
                return status;
            }
        }
        throw ApiProblem.badRequest("invalid_status", "status must be one of "
                + Arrays.toString(SessionStatus.values()) + ", got " + SessionId.quote(raw)).field("status");
    }

    private static int limit(@Nullable String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        int limit = DIGITS.matcher(raw).matches() ? Integer.parseInt(raw) : 0;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiProblem.badRequest("invalid_limit", "limit must be a whole number from 1 to " + MAX_LIMIT
                    + ", got " + SessionId.quote(raw)).field("limit");
        }
        return limit;
    }
}
