package dev.velocitypreview.core.session;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionIdTest {

    private final String id = "0f8fad5b-d9cb-469f-a165-70867728950e";

    @Test
    void theCanonicalFormIsAcceptedInEitherCase() {
        assertThat(SessionId.isValid(id)).isTrue();
        assertThat(SessionId.isValid(id.toUpperCase())).isTrue();
        assertThat(SessionId.parse("sessionId", id)).isEqualTo(UUID.fromString(id));
    }

    @Test
    void anythingElseIsRefusedEvenWhatJavaWouldParseAsAUuid() {
        assertThat(SessionId.isValid(null)).isFalse();
        assertThat(SessionId.isValid("")).isFalse();
        assertThat(SessionId.isValid(id + "0")).as("too long").isFalse();
        assertThat(SessionId.isValid(id.substring(1))).as("too short").isFalse();
        assertThat(SessionId.isValid("1-2-3-4-5")).as("UUID.fromString's short form").isFalse();
        assertThat(SessionId.isValid("0f8fad5bd-9cb-469f-a165-70867728950e")).as("a dash moved").isFalse();
        assertThat(SessionId.isValid("0f8fad5b-d9cb-469f-a165+70867728950e")).as("not a dash").isFalse();
        assertThat(SessionId.isValid("0f8fad5b-d9cb-469f-a165-70867728950g")).as("not hex").isFalse();
        assertThat(SessionId.isValid("0f8fad5b-d9cb-469f-a165-7086772895\uFF10e")).as("a full-width digit").isFalse();
        assertThat(SessionId.isValid("0f8fad5b-d9cb-469f-a165-70867728950\n")).isFalse();
        assertThatThrownBy(() -> SessionId.parse("sessionId", "1-2-3-4-5")).isInstanceOf(SessionId.InvalidIdException.class);
    }
}
