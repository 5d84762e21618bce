package dev.velocitypreview.router.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.router.routing.Access.Verdict;

import static dev.velocitypreview.router.routing.Views.active;
import static dev.velocitypreview.router.routing.Views.privately;
import static dev.velocitypreview.router.routing.Views.view;
import static org.assertj.core.api.Assertions.assertThat;

class PreviewGateTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final PreviewToken TOKENS = new PreviewToken("gate-test-secret-gate-test-secret-gate");

    private static final PresentedTokens NONE = new PresentedTokens(List.of(), List.of(), true);

    private final PreviewGate gate = new PreviewGate(TOKENS, Clock.fixed(NOW, ZoneOffset.UTC));
    private final UUID id = UUID.randomUUID();
    private final SessionView privateSession = privately(active(id, 3, "http://127.0.0.1:1"));
    private final String valid = TOKENS.mint(id, NOW, Duration.ofMinutes(5));

    @Test
    void publicSessionIsOpenWithOrWithoutTokens() {
        SessionView publicSession = active(id, 3, "http://127.0.0.1:1");

        assertThat(gate.check(publicSession, NONE)).isEqualTo(Access.PUBLIC);
        assertThat(gate.check(publicSession, query("junk"))).isEqualTo(Access.PUBLIC);
    }

    @Test
    void validQueryTokenOnAPageRequestIsExchangedForTheCookieUntilItExpires() {
        Access access = gate.check(privateSession, query(valid));

        assertThat(access.verdict()).isEqualTo(Verdict.EXCHANGE);
        assertThat(access.token()).isEqualTo(valid);
        assertThat(access.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    }

    @Test
    void validQueryTokenOnARequestThatCannotBeRedirectedAdmitsIt() {
        Access access = gate.check(privateSession, new PresentedTokens(List.of(valid), List.of(), false));

        assertThat(access).isEqualTo(Access.ADMITTED);
    }

    @Test
    void validCookieAdmitsEvenNextToCookiesOtherCodeSet() {
        Access access = gate.check(privateSession, cookies("tossed", valid));

        assertThat(access).isEqualTo(Access.ADMITTED);
    }

    @Test
    void refusalsSayWhatIsWrong() {
        String expired = TOKENS.mint(id, NOW);
        String otherSession = TOKENS.mint(UUID.randomUUID(), NOW, Duration.ofMinutes(5));
        String forged = new PreviewToken("another-secret-another-secret-another").mint(id, NOW, Duration.ofMinutes(5));

        assertThat(gate.check(privateSession, NONE)).isEqualTo(Access.MISSING);
        assertThat(gate.check(privateSession, cookies(expired))).isEqualTo(Access.EXPIRED);
        assertThat(gate.check(privateSession, cookies(otherSession))).isEqualTo(Access.invalid(PreviewToken.Check.WRONG_SESSION));
        assertThat(gate.check(privateSession, cookies(forged))).isEqualTo(Access.invalid(PreviewToken.Check.BAD_SIGNATURE));
        assertThat(gate.check(privateSession, query("v1.garbage"))).isEqualTo(Access.invalid(PreviewToken.Check.MALFORMED));
        assertThat(gate.check(privateSession, query(""))).isEqualTo(Access.invalid(PreviewToken.Check.MALFORMED));
        assertThat(gate.check(privateSession, cookies("junk", forged, expired))).as("the most telling reason")
                .isEqualTo(Access.EXPIRED);
    }

    @Test
    void badQueryTokenIsRefusedEvenWithAValidCookie() {
        Access access = gate.check(privateSession, new PresentedTokens(List.of("junk"), List.of(valid), true));

        assertThat(access.verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void privateSessionIsNeverServedWithoutASecretWhateverItsStatus() {
        PreviewGate unconfigured = new PreviewGate(null, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(unconfigured.check(privateSession, query(valid))).isEqualTo(Access.NOT_CONFIGURED);
        assertThat(unconfigured.check(privately(view(id, SessionStatus.REQUESTED, 0)), NONE))
                .isEqualTo(Access.NOT_CONFIGURED);
        assertThat(unconfigured.check(active(id, 3, "http://127.0.0.1:1"), NONE)).isEqualTo(Access.PUBLIC);
    }

    @Test
    void tokensNeverAppearInTheDescriptionOfAnAccessOrOfWhatWasPresented() {
        assertThat(gate.check(privateSession, query(valid))).asString().doesNotContain(valid);
        assertThat(query(valid)).asString().doesNotContain(valid);
    }

    private static PresentedTokens query(String token) {
        return new PresentedTokens(List.of(token), List.of(), true);
    }

    private static PresentedTokens cookies(String... tokens) {
        return new PresentedTokens(List.of(), List.of(tokens), true);
    }
}
