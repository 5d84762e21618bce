package dev.velocitypreview.cleanup;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;

/**
 * What one cleanup task keeps about one session of its partition: the part of the newest row it acts on, the
 * latest activity, what it already issued (so nothing is issued twice, even across a failover: the store is
 * written in the same transaction as the commands) and the key of its entry in the deadline index.
 *
 * @param row           the newest row, or null for a session only known from a machine tagged with it
 * @param lastSeen      the latest activity any router reported
 * @param activeSince   when the row last became ACTIVE
 * @param suspendedSince when the row last became SUSPENDED
 * @param suspendAskedAt when a SUSPEND was last issued: asked again one idle timeout later while the row stays
 *                      ACTIVE and unused (a suspend whose machine call failed is dead-lettered, the row unchanged)
 * @param issued        the actions issued for the session
 * @param machinesSeen  machines without a live session that had no creation time, by id: when first listed
 *                      (the grace counts from then)
 * @param reaped        machines a REAP_MACHINE was issued for
 * @param deadlineKey   this session's entry in the deadline index, or null when nothing is due for it
 */
record TrackedSession(@Nullable Row row, @Nullable Instant lastSeen, @Nullable Instant activeSince,
                      @Nullable Instant suspendedSince, @Nullable Instant suspendAskedAt, Set<CleanupAction> issued, Map<String, Instant> machinesSeen,
                      Set<String> reaped, @Nullable String deadlineKey) {

    TrackedSession {
        issued = issued == null || issued.isEmpty() ? EnumSet.noneOf(CleanupAction.class) : EnumSet.copyOf(issued);
        machinesSeen = machinesSeen == null ? Map.of() : Map.copyOf(machinesSeen);
        reaped = reaped == null ? Set.of() : Set.copyOf(reaped);
    }

    /**
     * The part of a row cleanup acts on.
     *
     * @param endedAt when the session ended (terminated_at, else the row's last update); null while it has not
     */
    record Row(String userId, SessionStatus status, @Nullable String machineId, long version,
               @Nullable Instant updatedAt, @Nullable Instant expiresAt, @Nullable Duration idleTimeout,
               @Nullable Instant endedAt) {

        static Row of(SessionView view, Instant now) {
            Instant ended = !view.status().isTerminal() ? null
                    : view.terminatedAt() != null ? view.terminatedAt()
                    : view.updatedAt() != null ? view.updatedAt() : now;
            return new Row(view.userId(), view.status(), view.machineId(), view.version(), view.updatedAt(),
                    view.expiresAt(), view.idleTimeout(), ended);
        }

        boolean live() {
            return !status.isTerminal();
        }
    }

    static TrackedSession unknown() {
        return new TrackedSession(null, null, null, null, null, null, null, null, null);
    }

    /**
     * This session with {@code view} as its newest row; null when the view is not newer than the row held
     * (a replayed changelog never moves a session backwards).
     */
    @Nullable TrackedSession withRow(SessionView view, Instant now) {
        if (row != null && view.version() <= row.version()) {
            return null;
        }
        SessionStatus before = row == null ? null : row.status();
        Instant changedAt = view.updatedAt() != null ? view.updatedAt() : now;
        Instant active = activeSince;
        Instant suspended = suspendedSince;
        Set<CleanupAction> actions = EnumSet.noneOf(CleanupAction.class);
        actions.addAll(issued);
        if (view.status() == SessionStatus.ACTIVE && before != SessionStatus.ACTIVE) {
            // woken again: it may go idle (and be suspended) again, counted from now
            active = changedAt;
        }
        if (view.status() == SessionStatus.SUSPENDED && before != SessionStatus.SUSPENDED) {
            suspended = changedAt;
        }
        if (row != null && view.machineId() != null && !view.machineId().equals(row.machineId())) {
            // a new machine: its loss would be news
            actions.remove(CleanupAction.MACHINE_LOST);
        }
        return new TrackedSession(Row.of(view, now), lastSeen, active, suspended, suspendAskedAt, actions, machinesSeen, reaped,
                deadlineKey);
    }

    TrackedSession withLastSeen(Instant seenAt) {
        if (lastSeen != null && !seenAt.isAfter(lastSeen)) {
            return this;
        }
        return new TrackedSession(row, seenAt, activeSince, suspendedSince, suspendAskedAt, issued, machinesSeen, reaped, deadlineKey);
    }

    /** A SUSPEND is remembered by when it was asked, as it may be asked again; every other action once. */
    TrackedSession withIssued(CleanupAction action, Instant now) {
        if (action == CleanupAction.SUSPEND) {
            return new TrackedSession(row, lastSeen, activeSince, suspendedSince, now, issued, machinesSeen, reaped,
                    deadlineKey);
        }
        Set<CleanupAction> actions = EnumSet.of(action);
        actions.addAll(issued);
        return new TrackedSession(row, lastSeen, activeSince, suspendedSince, suspendAskedAt, actions, machinesSeen, reaped, deadlineKey);
    }

    TrackedSession withMachineSeen(String machineId, Instant at) {
        Map<String, Instant> seen = new HashMap<>(machinesSeen);
        seen.putIfAbsent(machineId, at);
        return new TrackedSession(row, lastSeen, activeSince, suspendedSince, suspendAskedAt, issued, seen, reaped, deadlineKey);
    }

    TrackedSession withReaped(String machineId) {
        Set<String> all = new HashSet<>(reaped);
        all.add(machineId);
        Map<String, Instant> seen = new HashMap<>(machinesSeen);
        seen.remove(machineId);
        return new TrackedSession(row, lastSeen, activeSince, suspendedSince, suspendAskedAt, issued, seen, all, deadlineKey);
    }

    TrackedSession withDeadlineKey(@Nullable String key) {
        return new TrackedSession(row, lastSeen, activeSince, suspendedSince, suspendAskedAt, issued, machinesSeen, reaped, key);
    }

    boolean hasIssued(CleanupAction action) {
        return issued.contains(action);
    }

    /** One TERMINATE per session, whatever its reason. */
    boolean terminateIssued() {
        return issued.contains(CleanupAction.EXPIRE) || issued.contains(CleanupAction.TERMINATE_IDLE);
    }

    /** The last use: the latest activity, or when the row became ACTIVE when that is later (or nothing was seen). */
    @Nullable Instant lastUse() {
        if (lastSeen == null) {
            return activeSince;
        }
        return activeSince == null || lastSeen.isAfter(activeSince) ? lastSeen : activeSince;
    }

    /** The action due now, if any; the expiry cap wins over everything idle. */
    @Nullable CleanupAction due(Instant now, Duration suspendedTimeout, Duration retention) {
        if (row == null) {
            return null;
        }
        if (!row.live()) {
            return !hasIssued(CleanupAction.PURGE) && isDue(row.endedAt().plus(retention), now) ? CleanupAction.PURGE : null;
        }
        if (terminateIssued()) {
            return null;
        }
        if (row.expiresAt() != null && isDue(row.expiresAt(), now)) {
            return CleanupAction.EXPIRE;
        }
        Instant idleAt = idleAt();
        if (idleAt != null && isDue(idleAt, now)) {
            return CleanupAction.SUSPEND;
        }
        if (row.status() == SessionStatus.SUSPENDED && suspendedSince != null
                && isDue(suspendedSince.plus(suspendedTimeout), now)) {
            return CleanupAction.TERMINATE_IDLE;
        }
        return null;
    }

    /** When the next action may fall due, or null when none ever will (until the session changes). */
    @Nullable Instant nextDeadline(Duration suspendedTimeout, Duration retention) {
        if (row == null) {
            return null;
        }
        if (!row.live()) {
            return hasIssued(CleanupAction.PURGE) ? null : row.endedAt().plus(retention);
        }
        if (terminateIssued()) {
            return null;
        }
        Instant next = row.expiresAt();
        next = earliest(next, idleAt());
        if (row.status() == SessionStatus.SUSPENDED && suspendedSince != null) {
            next = earliest(next, suspendedSince.plus(suspendedTimeout));
        }
        return next;
    }

    /**
     * When an ACTIVE session counts as idle: one idle timeout after its last use, or after the SUSPEND asked since,
     * which the provisioner did not carry out if the row is still ACTIVE.
     */
    private @Nullable Instant idleAt() {
        Instant lastUse = lastUse();
        if (row == null || row.status() != SessionStatus.ACTIVE || row.idleTimeout() == null || lastUse == null) {
            return null;
        }
        Instant from = suspendAskedAt != null && suspendAskedAt.isAfter(lastUse) ? suspendAskedAt : lastUse;
        return from.plus(row.idleTimeout());
    }

    private static boolean isDue(Instant deadline, Instant now) {
        return !deadline.isAfter(now);
    }

    private static @Nullable Instant earliest(@Nullable Instant a, @Nullable Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }
}
