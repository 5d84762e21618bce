package dev.velocitypreview.sessions.edits;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.velocitypreview.core.config.PositiveDuration;
import dev.velocitypreview.core.config.Secret;

/**
 * The machines' sync endpoint ({@code POST /machine/v1/sessions/{id}/sync}), under
 * {@code velocity.session-service.sync}.
 *
 * @param secret  the secret the machines' sync tokens are made with: the same value as the provisioner's
 *                {@code velocity.provisioner.machines.sync.secret} (pass it as
 *                {@code VELOCITY_SESSION_SERVICE_SYNC_SECRET}). Unset: every sync answers 503
 *                {@code sync_not_configured} and previews get no live edits
 * @param hold    how long a sync of a machine that is up to date is held open, waiting for a change of its
 *                project, before it is answered empty; the machines' read timeout must be longer
 * @param maxBody largest body of a sync (the machine's manifest and results); a larger one is refused with 413
 *                {@code sync_too_large}
 */
@ConfigurationProperties("velocity.session-service.sync")
@Validated
public record SyncProperties(
        @Nullable Secret secret,
        @DefaultValue("25s") @PositiveDuration Duration hold,
        @DefaultValue("4MB") DataSize maxBody) {

    public SyncProperties {
        if (secret != null && secret.value().isEmpty()) {
            secret = null;
        }
        if (maxBody == null || maxBody.toBytes() < 1 || maxBody.toBytes() > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("sync.max-body must be between 1B and 2GB, got " + maxBody);
        }
    }
}
