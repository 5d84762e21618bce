package dev.velocitypreview.core.session;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static dev.velocitypreview.core.session.SessionStatus.*;

/**
 * The only place that knows which status may follow which:
 * {@code REQUESTED → PROVISIONING → STARTING → ACTIVE ⇄ SUSPENDED → STOPPING → TERMINATED},
 * any non-terminal status may end in {@code FAILED}, and a session that never got a machine
 * may be stopped before it starts.
 */
public final class SessionStateMachine {

    private static final Map<SessionStatus, Set<SessionStatus>> NEXT = new EnumMap<>(SessionStatus.class);

    static {
        NEXT.put(REQUESTED, EnumSet.of(PROVISIONING, STOPPING, TERMINATED, FAILED));
        NEXT.put(PROVISIONING, EnumSet.of(STARTING, STOPPING, FAILED));
        NEXT.put(STARTING, EnumSet.of(ACTIVE, STOPPING, FAILED));
        NEXT.put(ACTIVE, EnumSet.of(SUSPENDED, STOPPING, FAILED));
        NEXT.put(SUSPENDED, EnumSet.of(ACTIVE, STOPPING, FAILED));
        NEXT.put(STOPPING, EnumSet.of(TERMINATED, FAILED));
        NEXT.put(TERMINATED, EnumSet.noneOf(SessionStatus.class));
        NEXT.put(FAILED, EnumSet.noneOf(SessionStatus.class));
    }

    private SessionStateMachine() {
    }

    public static boolean canMove(SessionStatus from, SessionStatus to) {
        return NEXT.get(from).contains(to);
    }

    /**
     * Returns {@code to} when the move is legal.
     *
     * @throws IllegalTransitionException naming both statuses when it is not
     */
    public static SessionStatus move(SessionStatus from, SessionStatus to) {
        if (!canMove(from, to)) {
            throw new IllegalTransitionException(from, to);
        }
        return to;
    }

    /** A write that would move a session along an edge the lifecycle does not have. */
    public static final class IllegalTransitionException extends IllegalStateException {
        private final SessionStatus from;
        private final SessionStatus to;

        IllegalTransitionException(SessionStatus from, SessionStatus to) {
            super("session cannot move from " + from + " to " + to);
            this.from = from;
            this.to = to;
        }

        public SessionStatus from() {
            return from;
        }

        public SessionStatus to() {
            return to;
        }
    }
}
