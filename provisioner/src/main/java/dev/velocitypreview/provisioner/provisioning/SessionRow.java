package dev.velocitypreview.provisioner.provisioning;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStateMachine;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.Tier;

/**
 * The columns of a {@code preview_sessions} row that the provisioner reads or changes.
 *
 * @param machine   the machine size granted with the CREATE ({@code resource_limits.machine}); null only on
 *                  rows written before the CREATE carried it
 * @param expiresAt when cleanup ends the session (the ttl granted, moved by an EXTEND)
 */
record SessionRow(
        UUID id,
        String userId,
        UUID projectId,
        Tier tier,
        MachineSize machine,
        SessionStatus status,
        String statusReason,
        String error,
        String machineId,
        String machineUrl,
        String region,
        long version,
        Instant readyAt,
        Instant expiresAt,
        Instant terminatedAt) {

    SessionRow {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(projectId, "projectId == null");
        Objects.requireNonNull(tier, "tier == null");
        Objects.requireNonNull(status, "status == null");
        if (version < 1) {
            throw new IllegalArgumentException("a written row has version >= 1, got " + version);
        }
    }

    /** @throws SessionStateMachine.IllegalTransitionException when the lifecycle has no such edge */
    SessionRow moveTo(SessionStatus next) {
        return new SessionRow(id, userId, projectId, tier, machine, SessionStateMachine.move(status, next), statusReason, error,
                machineId, machineUrl, region, version, readyAt, expiresAt, terminatedAt);
    }

    SessionRow withMachine(String newMachineId, String newMachineUrl, String newRegion) {
        return new SessionRow(id, userId, projectId, tier, machine, status, statusReason, error,
                newMachineId, newMachineUrl, newRegion, version, readyAt, expiresAt, terminatedAt);
    }

    SessionRow withReadyAt(Instant at) {
        return new SessionRow(id, userId, projectId, tier, machine, status, statusReason, error,
                machineId, machineUrl, region, version, at, expiresAt, terminatedAt);
    }

    SessionRow withExpiresAt(Instant at) {
        return new SessionRow(id, userId, projectId, tier, machine, status, statusReason, error,
                machineId, machineUrl, region, version, readyAt, at, terminatedAt);
    }

    SessionRow withEnd(String reason, String newError, Instant at) {
        return new SessionRow(id, userId, projectId, tier, machine, status, reason, newError,
                machineId, machineUrl, region, version, readyAt, expiresAt, at);
    }
}
