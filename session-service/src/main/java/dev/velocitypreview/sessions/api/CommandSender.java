package dev.velocitypreview.sessions.api;

import org.springframework.stereotype.Component;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.sessions.command.CommandNotAcknowledgedException;
import dev.velocitypreview.sessions.command.CommandPublisher;

/**
 * Publishes a command for a request: returns once Kafka stored it, or refuses the request with 503.
 * Only the kinds of command the provisioner acts on have a method here, so the API cannot publish one
 * that would only be set aside on the dead-letter topic.
 */
@Component
class CommandSender {

    private final CommandPublisher publisher;

    CommandSender(CommandPublisher publisher) {
        this.publisher = publisher;
    }

    void send(SessionCommand.Create create) {
        publish(create, " (with an Idempotency-Key, a retry cannot create a second session)");
    }

    void send(SessionCommand.Terminate terminate) {
        publish(terminate, "");
    }

    void send(SessionCommand.Extend extend) {
        publish(extend, "");
    }

    private void publish(SessionCommand command, String retryAdvice) {
        try {
            publisher.publish(command);
        } catch (CommandNotAcknowledgedException e) {
            throw ApiProblem.unavailable("not_acknowledged",
                    "the request could not be stored in time; retry it" + retryAdvice,
                    SessionLookups.RETRY_AFTER, e);
        }
    }
}
