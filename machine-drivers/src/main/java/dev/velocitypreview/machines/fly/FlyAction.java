package dev.velocitypreview.machines.fly;

import java.util.Locale;

/** The Machines API requests this driver makes; each has its own rate limit at Fly. */
enum FlyAction {
    CREATE, LIST, GET, WAIT, START, STOP, SUSPEND, DESTROY;

    /** Fly limits "get machine" more loosely than the other actions. */
    boolean isGet() {
        return this == GET;
    }

    String logName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
