package dev.velocitypreview.router.routing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.velocitypreview.core.command.SessionCommand;

/** Records the RESUME commands it is asked to send; acknowledges them, or refuses them while {@link #refuse} is set. */
final class RecordingResumes implements ResumeSender {

    final List<SessionCommand.Resume> sent = new CopyOnWriteArrayList<>();
    volatile boolean refuse;

    @Override
    public CompletableFuture<?> send(SessionCommand.Resume resume) {
        sent.add(resume);
        return refuse ? CompletableFuture.failedFuture(new IllegalStateException("broker refused it"))
                : CompletableFuture.completedFuture(null);
    }
}
