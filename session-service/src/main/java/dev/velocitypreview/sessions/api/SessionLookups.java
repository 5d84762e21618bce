package dev.velocitypreview.sessions.api;

import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.sessions.SessionServiceProperties;

/** Reads of the view shared by the user and admin endpoints, and the parsing of their parameters. */
@Component
class SessionLookups {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");
    private static final Comparator<SessionView> NEWEST_FIRST = Comparator
            .comparing(SessionView::requestedAt, Comparator.nullsLast(Comparator.<java.time.Instant>reverseOrder()))
            .thenComparing(SessionView::createdAt, Comparator.nullsLast(Comparator.<java.time.Instant>reverseOrder()))
            .thenComparing(SessionView::id);

    private final SessionDirectory directory;
    private final Duration grace;

    SessionLookups(SessionDirectory directory, SessionServiceProperties properties) {
        this.directory = directory;
        this.grace = properties.unknownSessionGrace();
    }

    /** @throws ApiProblem 503 while the view is still loading */
    void requireReady() {
        if (!directory.isReady()) {
            throw ApiProblem.unavailable("view_not_ready",
                    "the session view is still loading (" + directory.state() + "); retry shortly", RETRY_AFTER, null);
        }
    }

    /**
     * The session once the view knows it and {@code visible} holds for it; a long poll of at most
     * the grace, since the view may trail a 202 by milliseconds. A session the caller may not see
     * is as unknown as a missing one, so ids cannot be probed.
     */
    CompletableFuture<SessionView> find(UUID id, Predicate<SessionView> visible) {
        return find(id, visible, 0);
    }

    /**
     * {@link #find}, waiting also until the view holds at least {@code minVersion} of the session: a
     * caller that has seen that version elsewhere (an earlier answer, another reader of the changelog)
     * never reads an older one from this view. Still at most the grace; a view that stays behind
     * answers 503 rather than an older session than the caller asked for.
     */
    CompletableFuture<SessionView> find(UUID id, Predicate<SessionView> visible, long minVersion) {
        requireReady();
        return directory.await(id, view -> view.version() >= minVersion, grace).handle((view, error) -> {
            if (error == null && visible.test(view)) {
                return view;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause != null && !(cause instanceof TimeoutException)) {
                throw new CompletionException(cause);
            }
            Optional<SessionView> behind = directory.lookup(id).filter(visible);
            if (behind.isPresent()) {
                throw ApiProblem.unavailable("view_behind", "this reader holds version " + behind.get().version()
                        + " of session " + id + ", not yet version " + minVersion + "; retry shortly", RETRY_AFTER, null);
            }
            throw ApiProblem.notFound("session " + id + " not found");
        });
    }

    /**
     * The session once {@code until} holds for it (at once when it already does), or empty when it did not
     * within {@code max}; for a caller that published a command and waits to see it applied.
     */
    CompletableFuture<Optional<SessionView>> awaitApplied(UUID id, Predicate<SessionView> until, Duration max) {
        return directory.await(id, until, max).handle((view, error) -> {
            if (error == null) {
                return Optional.of(view);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof TimeoutException) {
                return Optional.empty();
            }
            throw new CompletionException(cause);
        });
    }

    /** A {@code minVersion} parameter: 0 (any version) when absent. */
    static long minVersion(@Nullable String raw) {
        if (raw == null) {
            return 0;
        }
        if (!VERSION.matcher(raw).matches()) {
            throw ApiProblem.badRequest("invalid_min_version", "minVersion must be a whole number from 0 to "
                    + "999999999999999999, got " + SessionId.quote(raw)).field("minVersion");
        }
        return Long.parseLong(raw);
    }

    /** {@link #find}, for handlers that block anyway. */
    SessionView findNow(UUID id, Predicate<SessionView> visible) {
        try {
            return find(id, visible).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** What the view knows of {@code id} right now, without waiting; the view must be ready. */
    Optional<SessionView> lookup(UUID id) {
        requireReady();
        return directory.lookup(id);
    }

    /**
     * Matching sessions, newest first, at most {@code limit}: those of {@code userId}, or of everyone
     * when it is null (an operator's listing, which scans the whole view).
     */
    List<SessionView> list(@Nullable String userId, Predicate<SessionView> filter, int limit) {
        requireReady();
        List<SessionView> found = userId == null ? directory.find(filter) : directory.findOf(userId, filter);
        return found.stream().sorted(NEWEST_FIRST).limit(limit).toList();
    }

    static UUID sessionId(String raw) {
        try {
            return SessionId.parse("session id", raw);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("invalid_session_id", e.getMessage());
        }
    }

    /** A status filter; null for none. */
    static @Nullable SessionStatus status(@Nullable String raw) {
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

    static int limit(@Nullable String raw) {
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
