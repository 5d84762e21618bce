package dev.velocitypreview.core.session;

import java.util.Locale;

/** Service tiers; their limits are configuration, their names are part of the API. */
public enum Tier {
    FREE, PRO, TEAM;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Tier fromWire(String raw) {
        if (raw != null) {
            for (Tier tier : values()) {
                if (tier.wireName().equals(raw)) {
                    return tier;
                }
            }
        }
        throw new IllegalArgumentException("tier must be one of free, pro, team, got "
                + (raw == null ? "nothing" : SessionId.quote(raw)));
    }
}
