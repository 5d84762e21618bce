package dev.velocitypreview.router.routing;

import java.util.concurrent.CompletableFuture;

import dev.velocitypreview.core.command.SessionCommand;

/**
 * Publishes a RESUME on {@code preview.session-commands}. Called on reactor threads: must not block; the future
 * completes once Kafka acknowledged the command, or exceptionally when it did not.
 */
public interface ResumeSender {

    CompletableFuture<?> send(SessionCommand.Resume resume);
}
