package dev.velocitypreview.machines.fly;

import java.util.Locale;

/** The Machines API requests this driver makes; each has its own rate limit at Fly. */
enum FlyAction {
    CREATE, LIST, GET, WAIT, START, STOP, SUSPEND, DESTROY,
    /** {@code POST /{id}/metadata/{key}}: tags a pooled machine with the session that claimed it. */
    METADATA;

    /**
     * Whether Fly limits this action per machine rather than per app: every action on one named machine is (Fly: "start
     * is limited per machine"), so that a burst of claims, each getting, tagging, starting and waiting for its own
     * machine, does not queue behind one bucket; create and list name no machine and share the app's.
     */
    boolean isPerMachine() {
        return this != CREATE && this != LIST;
    }

    /** Fly limits "get machine" more loosely than the other actions. */
    boolean isGet() {
        return this == GET;
    }

    String logName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
