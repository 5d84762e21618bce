package dev.velocitypreview.core.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.velocitypreview.core.session.SessionStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionStateMachineTest {

    @Test
    void theHappyPathIsLegal() {
        SessionStatus status = REQUESTED;
        for (SessionStatus next : new SessionStatus[] {PROVISIONING, STARTING, ACTIVE, SUSPENDED, ACTIVE, STOPPING, TERMINATED}) {
            status = SessionStateMachine.move(status, next);
        }
        assertThat(status).isEqualTo(TERMINATED);
    }

    @ParameterizedTest
    @EnumSource(value = SessionStatus.class, names = {"TERMINATED", "FAILED"}, mode = EnumSource.Mode.EXCLUDE)
    void everyNonTerminalStatusCanFail(SessionStatus from) {
        assertThat(SessionStateMachine.canMove(from, FAILED)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = SessionStatus.class, names = {"TERMINATED", "FAILED"})
    void terminalStatusesNeverChange(SessionStatus from) {
        for (SessionStatus to : SessionStatus.values()) {
            assertThat(SessionStateMachine.canMove(from, to)).as(from + " -> " + to).isFalse();
        }
    }

    @Test
    void anIllegalMoveNamesBothEnds() {
        assertThatThrownBy(() -> SessionStateMachine.move(ACTIVE, PROVISIONING))
                .isInstanceOf(SessionStateMachine.IllegalTransitionException.class)
                .hasMessage("session cannot move from ACTIVE to PROVISIONING");
    }

    @Test
    void routingFollowsTheStatus() {
        assertThat(REQUESTED.routing()).isEqualTo(SessionStatus.Routing.HOLD);
        assertThat(ACTIVE.routing()).isEqualTo(SessionStatus.Routing.ROUTE);
        assertThat(TERMINATED.routing()).isEqualTo(SessionStatus.Routing.GONE);
        assertThat(FAILED.routing()).isEqualTo(SessionStatus.Routing.BROKEN);
    }
}
