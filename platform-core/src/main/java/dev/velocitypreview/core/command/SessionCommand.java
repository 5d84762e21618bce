package dev.velocitypreview.core.command;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.UserId;
import dev.velocitypreview.core.session.Visibility;

/**
 * A request to change a session, published on {@code preview.session-commands} keyed by the
 * session id so that all commands of a session stay in order.
 *
 * @param commandId unique per published command; lets consumers recognise a redelivery
 * @param projectId required for CREATE, optional otherwise
 * @param tier      required for CREATE, optional otherwise
 * @param visibility for CREATE: who may open the preview; {@link Visibility#PUBLIC} when not given
 * @param ttl        for CREATE: how long the session may live, already checked against the caller's
 *                   tier by the API; null for the tier's default
 * @param machine    for CREATE: the machine size the caller's tier grants; null for the machine driver's
 *                   default for the tier
 * @param idleTimeout for CREATE: how long the preview may go unused before it is ended; null for none
 *                   recorded
 * @param reason    why a TERMINATE was issued ({@code user}, {@code expired}, {@code idle}, {@code admin}, {@code orphan})
 */
public record SessionCommand(
        UUID commandId,
        Type type,
        UUID sessionId,
        String userId,
        UUID projectId,
        Tier tier,
        Visibility visibility,
        Duration ttl,
        MachineSize machine,
        Duration idleTimeout,
        String reason,
        Instant issuedAt) {

    public SessionCommand {
        Objects.requireNonNull(commandId, "commandId is required");
        Objects.requireNonNull(type, "type is required (CREATE, TERMINATE, EXTEND, RESUME)");
        Objects.requireNonNull(sessionId, "sessionId is required");
        UserId.require(userId);
        Objects.requireNonNull(issuedAt, "issuedAt is required");
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
            throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
        }
        if (type == Type.CREATE && visibility == null) {
            visibility = Visibility.PUBLIC;
        }
        if (type == Type.CREATE) {
            Objects.requireNonNull(projectId, "projectId is required for CREATE");
            Objects.requireNonNull(tier, "tier is required for CREATE");
        }
        if (type == Type.TERMINATE) {
            if (reason == null || !TerminationReason.isKnown(reason)) {
                throw new IllegalArgumentException("reason for TERMINATE must be one of "
                        + TerminationReason.KNOWN + ", got " + (reason == null ? "nothing" : "'" + reason + "'"));
            }
        }
    }

    public static SessionCommand create(UUID sessionId, String userId, UUID projectId, Tier tier, Instant now) {
        return create(sessionId, userId, projectId, tier, Visibility.PUBLIC, now);
    }

    public static SessionCommand create(UUID sessionId, String userId, UUID projectId, Tier tier,
                                        Visibility visibility, Instant now) {
        return create(sessionId, userId, projectId, tier, visibility, null, now);
    }

    public static SessionCommand create(UUID sessionId, String userId, UUID projectId, Tier tier,
                                        Visibility visibility, Duration ttl, Instant now) {
        return create(sessionId, userId, projectId, tier, visibility, ttl, null, null, now);
    }

    public static SessionCommand create(UUID sessionId, String userId, UUID projectId, Tier tier,
                                        Visibility visibility, Duration ttl, MachineSize machine,
                                        Duration idleTimeout, Instant now) {
        return new SessionCommand(UUID.randomUUID(), Type.CREATE, sessionId, userId, projectId, tier, visibility,
                ttl, machine, idleTimeout, null, now);
    }

    public static SessionCommand terminate(UUID sessionId, String userId, String reason, Instant now) {
        return new SessionCommand(UUID.randomUUID(), Type.TERMINATE, sessionId, userId, null, null, null, null,
                null, null, reason, now);
    }

    public enum Type {
        CREATE, TERMINATE, EXTEND, RESUME
    }
}
