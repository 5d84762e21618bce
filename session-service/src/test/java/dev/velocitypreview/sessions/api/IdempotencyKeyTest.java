package dev.velocitypreview.sessions.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.sessions.identity.Caller;

class IdempotencyKeyTest {

    private final Caller alice = new Caller("alice", Tier.FREE, false);
    private final Caller bob = new Caller("bob", Tier.FREE, false);

    @Test
    void sameKeyOfTheSameCallerAlwaysNamesTheSameSession() {
        assertThat(new IdempotencyKey("order-7").sessionIdFor(alice))
                .isEqualTo(new IdempotencyKey("order-7").sessionIdFor(new Caller("alice", Tier.PRO, true)));
    }

    @Test
    void sameKeyOfAnotherCallerNamesAnotherSession() {
        assertThat(new IdempotencyKey("order-7").sessionIdFor(alice))
                .isNotEqualTo(new IdempotencyKey("order-7").sessionIdFor(bob));
    }

    @Test
    void absentHeaderMeansNoKey() {
        assertThat(IdempotencyKey.from(null)).isNull();
    }

    @Test
    void keyOfTheLongestAllowedLengthIsAccepted() {
        assertThat(IdempotencyKey.from("k".repeat(255))).isNotNull();
    }

    @Test
    void emptyOverlongOrInvisibleKeysAreRefused() {
        for (String bad : new String[] {"", "k".repeat(256), "with space", "tab\there", "caf\u00e9"}) {
            assertThatThrownBy(() -> IdempotencyKey.from(bad)).as(bad)
                    .isInstanceOf(ApiProblem.class)
                    .hasMessageContaining("Idempotency-Key must be 1-255 visible ASCII characters");
        }
    }
}
