package dev.velocitypreview.sessions.api;

import org.springframework.stereotype.Component;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.sessions.command.CommandNotAcknowledgedException;
import dev.velocitypreview.sessions.command.CommandPublisher;

/** Publishes a command for a request: returns once Kafka stored it, or refuses the request with 503. */
@Component
class CommandSender {

    private final CommandPublisher publisher;

    CommandSender(CommandPublisher publisher) {
        this.publisher = publisher;
    }

    void send(SessionCommand command) {
        try {
            publisher.publish(command);
        } catch (CommandNotAcknowledgedException e) {
            throw ApiProblem.unavailable("not_acknowledged",
                    "the request could not be stored in time; retry it"
                            + (command.type() == SessionCommand.Type.CREATE
                                    ? " (with an Idempotency-Key, a retry cannot create a second session)" : ""),
                    SessionLookups.RETRY_AFTER, e);
        }
    }
}
