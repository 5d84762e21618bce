package dev.velocitypreview.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.sessions.identity.DevTokens;

/**
 * The one place that says how the suite proves who it is to the session API: an HS256 bearer
 * token signed with the secret the API is started with ({@link #SECRET}).
 */
final class Credentials {

    /** Shared by the API (JWT secret) and the routers (preview token secret); at least 32 bytes. */
    static final String SECRET = "fault-suite-secret-0123456789abcdef-0123456789";

    private Credentials() {
    }

    /** Headers that authenticate {@code userId} on the team tier (whose quotas the suite stays within). */
    static Map<String, String> headersFor(String userId) {
        return Map.of("Authorization", "Bearer " + token(userId, List.of()));
    }

    static String token(String userId, List<String> roles) {
        return DevTokens.mint(SECRET, userId, roles, Tier.TEAM, Duration.ofHours(1));
    }
}
