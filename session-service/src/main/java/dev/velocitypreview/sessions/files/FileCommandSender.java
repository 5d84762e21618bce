package dev.velocitypreview.sessions.files;

import java.util.Optional;

import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;

/** Publishes file commands and waits, bounded, for the provisioner's outcome. Safe to call from many threads. */
public interface FileCommandSender {

    /**
     * @return the provisioner's outcome, or empty when it did not answer within {@code files.write-timeout} (the
     *         command is stored in Kafka and will be applied)
     * @throws FileCommandNotStoredException when Kafka did not store the command; nothing was accepted
     */
    Optional<FileOutcome> send(FileCommand command);
}
