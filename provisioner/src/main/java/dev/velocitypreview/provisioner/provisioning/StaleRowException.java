package dev.velocitypreview.provisioner.provisioning;

import java.util.UUID;

/** A row changed between our read and our write; reading it again and deciding again is safe. */
final class StaleRowException extends RuntimeException {
    StaleRowException(UUID sessionId, long expectedVersion) {
        super("session " + sessionId + " is no longer at version " + expectedVersion);
    }
}
