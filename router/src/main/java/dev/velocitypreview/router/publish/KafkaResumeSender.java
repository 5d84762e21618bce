package dev.velocitypreview.router.publish;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.springframework.kafka.core.KafkaTemplate;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.router.routing.ResumeSender;
import reactor.core.scheduler.Schedulers;

/** Sends RESUME commands with the router's command template, off the event loop. */
final class KafkaResumeSender implements ResumeSender {

    private final KafkaTemplate<String, SessionCommand> template;
    // a send may wait for metadata (up to max.block.ms); an event loop must never wait
    private final Executor offLoop = task -> Schedulers.boundedElastic().schedule(task);

    KafkaResumeSender(KafkaTemplate<String, SessionCommand> template) {
        this.template = template;
    }

    @Override
    public CompletableFuture<?> send(SessionCommand.Resume resume) {
        return CompletableFuture.supplyAsync(() -> template.send(Topics.SESSION_COMMANDS.name(),
                resume.sessionId().toString(), resume), offLoop).thenCompose(ack -> ack);
    }
}
