package dev.velocitypreview.sessions.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionEventsControllerTest {

    @Test
    void noLastEventIdSendsEvenAJustRequestedSessionsVersionZero() {
        assertThat(SessionEventsController.lastEventId(null)).isEqualTo(-1);
        assertThat(SessionEventsController.lastEventId("")).isEqualTo(-1);
    }

    @Test
    void aLastEventIdIsTheVersionTheClientSawLast() {
        assertThat(SessionEventsController.lastEventId("0")).isZero();
        assertThat(SessionEventsController.lastEventId("42")).isEqualTo(42);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "yesterday", "1.5", "99999999999999999999"})
    void aLastEventIdThatIsNotAVersionIsABadRequestNamingTheHeader(String raw) {
        assertThatThrownBy(() -> SessionEventsController.lastEventId(raw))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                    assertThat(problem.getStatusCode().value()).isEqualTo(400);
                    assertThat(problem.getBody().getProperties()).containsEntry("code", "invalid_last_event_id")
                            .containsEntry("field", "Last-Event-ID");
                });
    }
}
