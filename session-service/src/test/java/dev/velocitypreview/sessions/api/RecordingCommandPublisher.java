package dev.velocitypreview.sessions.api;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.sessions.command.CommandNotAcknowledgedException;
import dev.velocitypreview.sessions.command.CommandPublisher;

/** Remembers what was published; can be told to behave like a broker that stopped acknowledging. */
final class RecordingCommandPublisher implements CommandPublisher {

    private final List<SessionCommand> published = new CopyOnWriteArrayList<>();
    private volatile boolean acknowledging = true;

    @Override
    public void publish(SessionCommand command) {
        if (!acknowledging) {
            throw new CommandNotAcknowledgedException(command, "broker did not acknowledge", new TimeoutException());
        }
        published.add(command);
    }

    List<SessionCommand> published() {
        return List.copyOf(published);
    }

    void stopAcknowledging() {
        acknowledging = false;
    }

    void reset() {
        published.clear();
        acknowledging = true;
    }
}
