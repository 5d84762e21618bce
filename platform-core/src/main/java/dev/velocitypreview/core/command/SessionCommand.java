package dev.velocitypreview.core.command;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.UserId;
import dev.velocitypreview.core.session.Visibility;

/**
 * A request to change a session, published on {@code preview.session-commands} keyed by the
 * session id so that all commands of a session stay in order. One record per kind of command,
 * each carrying exactly what its kind needs.
 *
 * <p>Java 17 has no pattern matching for {@code switch}: code that acts on every kind switches over
 * {@link #type()} in a switch <em>expression</em> (which the compiler checks covers every constant)
 * and casts to the record that kind always is, so a new kind does not compile until every such
 * switch says what to do with it.
 */
public sealed interface SessionCommand permits SessionCommand.Create, SessionCommand.Terminate,
        SessionCommand.Extend, SessionCommand.Suspend, SessionCommand.Resume, SessionCommand.ReapMachine,
        SessionCommand.MachineLost, SessionCommand.Purge {

    /** Unique per published command; lets consumers recognise a redelivery. */
    UUID commandId();

    UUID sessionId();

    /**
     * The session's owner; null only on a {@link ReapMachine} for a machine whose session has no row (the
     * machine's tag names the session, not its owner).
     */
    String userId();

    Instant issuedAt();

    /** The kind of command; its name is the {@code type} on the wire. */
    Type type();

    /** The kinds of command, one per record; {@link #name()} is the wire name. */
    enum Type {
        CREATE, TERMINATE, EXTEND, SUSPEND, RESUME, REAP_MACHINE, MACHINE_LOST, PURGE
    }

    /** A create with a fresh command id; the tier grant ({@code ttl}, {@code machine}, {@code idleTimeout}) is required. */
    static Create create(UUID sessionId, String userId, UUID projectId, String template, Tier tier,
                         Visibility visibility, Duration ttl, MachineSize machine, Duration idleTimeout, Instant now) {
        return new Create(UUID.randomUUID(), sessionId, userId, projectId, template, tier, visibility, ttl, machine,
                idleTimeout, now);
    }

    static Terminate terminate(UUID sessionId, String userId, String reason, Instant now) {
        return new Terminate(UUID.randomUUID(), sessionId, userId, reason, now);
    }

    static Extend extend(UUID sessionId, String userId, Instant expiresAt, Instant now) {
        return new Extend(UUID.randomUUID(), sessionId, userId, expiresAt, now);
    }

    static Suspend suspend(UUID sessionId, String userId, Instant now) {
        return new Suspend(UUID.randomUUID(), sessionId, userId, now);
    }

    static Resume resume(UUID sessionId, String userId, Instant now) {
        return new Resume(UUID.randomUUID(), sessionId, userId, now);
    }

    static ReapMachine reapMachine(UUID sessionId, String userId, String machineId, Instant now) {
        return new ReapMachine(UUID.randomUUID(), sessionId, userId, machineId, now);
    }

    static MachineLost machineLost(UUID sessionId, String userId, String machineId, Instant now) {
        return new MachineLost(UUID.randomUUID(), sessionId, userId, machineId, now);
    }

    static Purge purge(UUID sessionId, String userId, Instant now) {
        return new Purge(UUID.randomUUID(), sessionId, userId, now);
    }

    /**
     * Start a session. The session API decides the tier grant from its tier table, the only place
     * tiers are configured; the provisioner applies it as given.
     *
     * @param template    the template a project that does not exist yet, or has no files, is made from (a
     *                    name of the {@code templates} module's catalog, checked by the API); null only in a
     *                    command written before templates existed, which the provisioner reads as the default
     * @param visibility  who may open the preview; {@link Visibility#PUBLIC} when not given
     * @param ttl         how long the session may live, counted from its creation; already capped by the tier
     * @param machine     the machine size the tier grants
     * @param idleTimeout how long the preview may go unused before it is suspended
     */
    record Create(UUID commandId, UUID sessionId, String userId, UUID projectId, String template, Tier tier,
                  Visibility visibility, Duration ttl, MachineSize machine, Duration idleTimeout, Instant issuedAt)
            implements SessionCommand {

        /** The shape of a template name: lower-case words joined by dashes ({@code react-native}). */
        private static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

        public Create {
            requireCommon(commandId, sessionId, userId, issuedAt);
            Objects.requireNonNull(projectId, "projectId is required for CREATE");
            if (template != null && (template.length() > 64 || !TEMPLATE_NAME.matcher(template).matches())) {
                throw new IllegalArgumentException("template of CREATE must be a lower-case name such as react-native, got '"
                        + (template.length() > 64 ? template.substring(0, 64) + "…" : template) + "'");
            }
            Objects.requireNonNull(tier, "tier is required for CREATE");
            visibility = visibility == null ? Visibility.PUBLIC : visibility;
            requirePositive("ttl", ttl);
            Objects.requireNonNull(machine, "machine is required for CREATE (the size the tier grants)");
            requirePositive("idleTimeout", idleTimeout);
        }

        @Override
        public Type type() {
            return Type.CREATE;
        }
    }

    /** @param reason why: {@code user}, {@code expired}, {@code idle}, {@code admin} or {@code orphan} ({@link TerminationReason}) */
    record Terminate(UUID commandId, UUID sessionId, String userId, String reason, Instant issuedAt)
            implements SessionCommand {

        public Terminate {
            requireCommon(commandId, sessionId, userId, issuedAt);
            if (reason == null || !TerminationReason.isKnown(reason)) {
                throw new IllegalArgumentException("reason for TERMINATE must be one of " + TerminationReason.KNOWN
                        + ", got " + (reason == null ? "nothing" : "'" + reason + "'"));
            }
        }

        @Override
        public Type type() {
            return Type.TERMINATE;
        }
    }

    /**
     * Move a session's expiry.
     *
     * @param expiresAt the new expiry, absolute so that an extend delivered twice sets the same one; the
     *                  API computed it from the requested ttl and capped it by the tier
     */
    record Extend(UUID commandId, UUID sessionId, String userId, Instant expiresAt, Instant issuedAt)
            implements SessionCommand {

        public Extend {
            requireCommon(commandId, sessionId, userId, issuedAt);
            Objects.requireNonNull(expiresAt, "expiresAt is required for EXTEND");
            if (!expiresAt.isAfter(issuedAt)) {
                throw new IllegalArgumentException("expiresAt of EXTEND must be after issuedAt, got " + expiresAt
                        + " for a command issued at " + issuedAt);
            }
        }

        @Override
        public Type type() {
            return Type.EXTEND;
        }
    }

    /** Stop an idle session's machine, keeping it so that a request can wake it. */
    record Suspend(UUID commandId, UUID sessionId, String userId, Instant issuedAt) implements SessionCommand {

        public Suspend {
            requireCommon(commandId, sessionId, userId, issuedAt);
        }

        @Override
        public Type type() {
            return Type.SUSPEND;
        }
    }

    /** Wake a suspended session, because a request for it arrived. */
    record Resume(UUID commandId, UUID sessionId, String userId, Instant issuedAt) implements SessionCommand {

        public Resume {
            requireCommon(commandId, sessionId, userId, issuedAt);
        }

        @Override
        public Type type() {
            return Type.RESUME;
        }
    }

    /**
     * Destroy a machine that serves no live session: its session has ended, or has no row at all. Issued by
     * cleanup from a listing of the driver's machines (past a grace period); the provisioner looks at the row
     * and the driver again before it destroys anything, so a listing that is out of date reaps nothing live:
     * the machine a live row names, and any machine of a live row that has none yet (its CREATE may be in
     * flight), are left alone. The row is not changed; the reap is logged and counted with reason {@code orphan}.
     *
     * @param userId    the session's owner, or null when the session has no row
     * @param machineId the machine to destroy, as the driver named it
     */
    record ReapMachine(UUID commandId, UUID sessionId, String userId, String machineId, Instant issuedAt)
            implements SessionCommand {

        public ReapMachine {
            Objects.requireNonNull(commandId, "commandId is required");
            Objects.requireNonNull(sessionId, "sessionId is required");
            if (userId != null) {
                UserId.require(userId);
            }
            Objects.requireNonNull(issuedAt, "issuedAt is required");
            requireMachineId(machineId, "REAP_MACHINE");
        }

        @Override
        public Type type() {
            return Type.REAP_MACHINE;
        }
    }

    /**
     * A session that says ACTIVE or SUSPENDED has no machine any more. Issued by cleanup from a listing of
     * the driver's machines; the provisioner asks the driver again and, when the machine is gone indeed,
     * moves the session to {@code FAILED} with the error {@code machine lost}.
     *
     * @param machineId the machine the row names
     */
    record MachineLost(UUID commandId, UUID sessionId, String userId, String machineId, Instant issuedAt)
            implements SessionCommand {

        public MachineLost {
            requireCommon(commandId, sessionId, userId, issuedAt);
            requireMachineId(machineId, "MACHINE_LOST");
        }

        @Override
        public Type type() {
            return Type.MACHINE_LOST;
        }
    }

    /**
     * Delete the row of a session that ended longer ago than the retention; the delete reaches every reader
     * as a tombstone, and they forget the session. The provisioner deletes only a row that has ended.
     */
    record Purge(UUID commandId, UUID sessionId, String userId, Instant issuedAt) implements SessionCommand {

        public Purge {
            requireCommon(commandId, sessionId, userId, issuedAt);
        }

        @Override
        public Type type() {
            return Type.PURGE;
        }
    }

    private static void requireMachineId(String machineId, String kind) {
        if (machineId == null || machineId.isBlank()) {
            throw new IllegalArgumentException("machineId is required for " + kind);
        }
    }

    private static void requireCommon(UUID commandId, UUID sessionId, String userId, Instant issuedAt) {
        Objects.requireNonNull(commandId, "commandId is required");
        Objects.requireNonNull(sessionId, "sessionId is required");
        UserId.require(userId);
        Objects.requireNonNull(issuedAt, "issuedAt is required");
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null) {
            throw new NullPointerException(name + " is required for CREATE");
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
