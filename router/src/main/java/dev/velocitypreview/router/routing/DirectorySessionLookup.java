package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import org.springframework.stereotype.Component;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionView;

/** {@link SessionLookup} backed by the router's Kafka Streams session directory. */
@Component
class DirectorySessionLookup implements SessionLookup {

    private final SessionDirectory directory;

    DirectorySessionLookup(SessionDirectory directory) {
        this.directory = directory;
    }

    @Override
    public boolean isReady() {
        return directory.isReady();
    }

    @Override
    public Optional<SessionView> lookup(UUID id) {
        return directory.lookup(id);
    }

    @Override
    public CompletableFuture<SessionView> await(UUID id, Predicate<SessionView> until, Duration max) {
        return directory.await(id, until, max);
    }

    @Override
    public void onChange(SessionDirectory.Listener listener) {
        directory.addListener(listener);
    }

    @Override
    public int waiting() {
        return directory.waiting();
    }
}
