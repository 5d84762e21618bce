package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionView;

/**
 * What routing needs from the session directory. {@link #lookup} and {@link #await} may only be called
 * once {@link #isReady()}; both are non-blocking.
 */
interface SessionLookup {

    /** True once the directory has caught up with its topics. */
    boolean isReady();

    /** The newest known view of the session, empty when nothing about it has arrived. */
    Optional<SessionView> lookup(UUID id);

    /**
     * Completes with the session's view once {@code until} holds for it (possibly at once), or
     * exceptionally with {@link java.util.concurrent.TimeoutException} after {@code max}. Cancelling the
     * future forgets the waiter. The future may complete on a Kafka Streams thread.
     */
    CompletableFuture<SessionView> await(UUID id, Predicate<SessionView> until, Duration max);

    /** Calls {@code listener} with every view the directory accepts from now on (on a Kafka Streams thread). */
    void onChange(SessionDirectory.Listener listener);

    /** How many requests are waiting right now. */
    int waiting();
}
