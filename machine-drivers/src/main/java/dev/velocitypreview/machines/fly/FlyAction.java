package dev.velocitypreview.machines.fly;

import java.util.Locale;

/** The Machines API requests this driver makes; each has its own rate limit at Fly. */
enum FlyAction {
    CREATE, LIST, GET, WAIT, START, STOP, SUSPEND, DESTROY,
    /** {@code POST /{id}/metadata/{key}}: tags a pooled machine with the session that claimed it. */
    METADATA;

    /**
     * Whether Fly limits this action per machine rather than per app, so that a burst of claims, each on its own
     * machine, does not queue behind one bucket.
     */
    boolean isPerMachine() {
        return this == METADATA;
    }

    /** Fly limits "get machine" more loosely than the other actions. */
    boolean isGet() {
        return this == GET;
    }

    String logName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
