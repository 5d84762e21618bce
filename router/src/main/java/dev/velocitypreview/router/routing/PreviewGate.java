package dev.velocitypreview.router.routing;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Visibility;

/**
 * Who may go through to a session: anyone for a public one; for a private one, whoever presents a valid preview
 * token (HMAC, checked against the shared secret and the clock, no database). A token in the query is looked at
 * first: a link's token replaces the cookie, and a bad one is refused even when a cookie is valid, so an
 * outdated link says so. Without a secret, private sessions are never served.
 */
final class PreviewGate {

    private final @Nullable PreviewToken tokens;
    private final Clock clock;

    /** @param tokens the shared-secret checker; null when no secret is configured */
    PreviewGate(@Nullable PreviewToken tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = Objects.requireNonNull(clock, "clock == null");
    }

    Access check(SessionView session, PresentedTokens presented) {
        if (session.visibility() != Visibility.PRIVATE) {
            return Access.PUBLIC;
        }
        if (tokens == null) {
            return Access.NOT_CONFIGURED;
        }
        Instant now = clock.instant();
        if (!presented.inQuery().isEmpty()) {
            return judge(tokens, presented.inQuery(), session.id(), now, presented.redirectable());
        }
        if (!presented.inCookies().isEmpty()) {
            return judge(tokens, presented.inCookies(), session.id(), now, false);
        }
        return Access.MISSING;
    }

    /**
     * Admits (or exchanges) on the first valid token; otherwise refuses with the most telling reason among them.
     *
     * @param presented not empty
     */
    private static Access judge(PreviewToken tokens, List<String> presented, UUID session, Instant now, boolean exchange) {
        PreviewToken.Check telling = PreviewToken.Check.MALFORMED;
        for (String token : presented) {
            PreviewToken.Check check = tokens.check(token, session, now);
            if (check == PreviewToken.Check.VALID) {
                Instant expiry = PreviewToken.expiryOf(token);
                return exchange && expiry != null ? Access.exchange(token, expiry) : Access.ADMITTED;
            }
            if (rank(check) < rank(telling)) {
                telling = check;
            }
        }
        return telling == PreviewToken.Check.EXPIRED ? Access.EXPIRED : Access.invalid(telling);
    }

    /** Lower is more telling: what the person holding the token can act on. */
    private static int rank(PreviewToken.Check check) {
        return switch (check) {
            case VALID -> 0;
            case EXPIRED -> 1;
            case WRONG_SESSION -> 2;
            case BAD_SIGNATURE -> 3;
            case MALFORMED -> 4;
        };
    }
}
