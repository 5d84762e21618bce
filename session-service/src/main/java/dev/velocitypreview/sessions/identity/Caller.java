package dev.velocitypreview.sessions.identity;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.UserId;

/**
 * Who is asking, as their verified bearer token says: the {@code sub} claim, the tier they pay for
 * and whether they hold the admin role. Handlers receive it as the authenticated principal.
 *
 * @param userId the token's {@code sub}
 * @param tier   the token's tier claim; {@link Tier#FREE} when it has none
 * @param admin  whether the token's roles include the configured admin role
 */
public record Caller(String userId, Tier tier, boolean admin) {

    public Caller {
        UserId.require(userId);
        Objects.requireNonNull(tier, "tier == null");
    }

    /** True when {@code ownerId} is this caller. */
    public boolean owns(@Nullable String ownerId) {
        return userId.equals(ownerId);
    }
}
