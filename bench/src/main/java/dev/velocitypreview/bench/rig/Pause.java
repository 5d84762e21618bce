package dev.velocitypreview.bench.rig;

import java.time.Duration;

/** A pause in a harness loop that waits for something outside the bench's control (a server to come up). */
public final class Pause {

    private Pause() {
    }

    public static void of(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
