package dev.velocitypreview.machines.local;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.velocitypreview.machines.MachineState;

/**
 * A machine as {@code machine.json} stores it, so that a driver started later finds the machines
 * an earlier one created.
 *
 * @param sessionId    the session it serves; null for a pooled machine no session has claimed yet
 * @param pid          the runtime process, null before the first launch
 * @param pidStartedAt when that process started, to tell it from a later process reusing the pid
 * @param port         the port the runtime answered health on, null until then and after a stop
 * @param state        STARTING after a launch (and after a resume, until healthy again), STARTED once healthy,
 *                     SUSPENDED while its processes are stopped with their memory kept, STOPPED after a stop;
 *                     SUSPENDED is kept here so that a driver started later resumes the process rather than
 *                     launching another
 * @param env          extra environment of the runtime, kept to launch it again the same way
 * @param pool         the warm pool it was made for, null for a machine made for a session; kept after a claim
 * @param slot         the pool's id for it, null exactly when {@code pool} is; records written before pools have
 *                     neither
 */
record MachineRecord(String id, UUID sessionId, UUID projectId, String userId, String attemptId,
                     Long pid, Instant pidStartedAt, Integer port, MachineState state, Instant createdAt,
                     Map<String, String> env, String pool, UUID slot) {

    MachineRecord {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(state, "state == null");
        Objects.requireNonNull(createdAt, "createdAt == null");
        if ((pool == null) != (slot == null)) {
            throw new IllegalArgumentException("a machine record has a pool and a slot together or neither");
        }
        if (sessionId == null && pool == null) {
            throw new IllegalArgumentException("a machine record has a session, a pool, or both");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** Made for a pool, and no session has claimed it yet. */
    boolean isPooled() {
        return sessionId == null;
    }

    MachineRecord launched(RuntimeProcess process) {
        return new MachineRecord(id, sessionId, projectId, userId, attemptId, process.pid(), process.startedAt(),
                null, MachineState.STARTING, createdAt, env, pool, slot);
    }

    MachineRecord ready(int readyPort) {
        return new MachineRecord(id, sessionId, projectId, userId, attemptId, pid, pidStartedAt, readyPort,
                MachineState.STARTED, createdAt, env, pool, slot);
    }

    MachineRecord stopped() {
        return new MachineRecord(id, sessionId, projectId, userId, attemptId, pid, pidStartedAt, null,
                MachineState.STOPPED, createdAt, env, pool, slot);
    }

    /** Its processes stopped in place (SIGSTOP): same process, same port, memory kept. */
    MachineRecord suspended() {
        return new MachineRecord(id, sessionId, projectId, userId, attemptId, pid, pidStartedAt, port,
                MachineState.SUSPENDED, createdAt, env, pool, slot);
    }

    /** Its processes continued (SIGCONT): starting again until its runtime answers health on the same port. */
    MachineRecord resumed() {
        return new MachineRecord(id, sessionId, projectId, userId, attemptId, pid, pidStartedAt, port,
                MachineState.STARTING, createdAt, env, pool, slot);
    }

    /**
     * The session's machine from now on, launched as one if it is launched again.
     *
     * @param claimedEnv the environment a launch as the session's machine gets
     */
    MachineRecord claimed(UUID session, UUID project, Map<String, String> claimedEnv) {
        return new MachineRecord(id, session, project, userId, attemptId, pid, pidStartedAt, port, state, createdAt,
                claimedEnv, pool, slot);
    }

    /** The runtime process this record names, or null before the first launch. */
    RuntimeProcess process() {
        return pid == null ? null : new RuntimeProcess(pid, pidStartedAt);
    }
}
