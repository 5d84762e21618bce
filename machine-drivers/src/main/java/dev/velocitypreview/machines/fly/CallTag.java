package dev.velocitypreview.machines.fly;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** Rides on each request so that the log line for it says what it was for. */
record CallTag(FlyAction action, @Nullable UUID session, @Nullable String machine) {
}
