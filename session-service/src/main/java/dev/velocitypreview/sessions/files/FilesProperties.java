package dev.velocitypreview.sessions.files;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.velocitypreview.core.config.PositiveDuration;
import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.core.files.FileTopics;

/**
 * The files API ({@code /v1/projects/{id}/files}), under {@code velocity.session-service.files}.
 *
 * @param datasource   where the API reads project files; without it every files endpoint answers 503
 *                     {@code files_not_configured}
 * @param writeTimeout how long a write waits for the provisioner's answer before it answers 202 with the command
 *                     id (the command is stored in Kafka and will be applied)
 * @param maxBatchBody largest body of {@code POST /v1/projects/{id}/files:batch}; at most 8MB, so that the command
 *                     it becomes fits in one Kafka record
 * @param applyTimeout how long a write with {@code ?wait=applied} waits, after the provisioner's answer, for every
 *                     running preview of the project to report the write applied (or a compile error); a preview
 *                     that has not reported by then is answered as {@code timeout}
 */
@ConfigurationProperties("velocity.session-service.files")
@Validated
public record FilesProperties(
        @Nullable @Valid Datasource datasource,
        @DefaultValue("10s") @PositiveDuration Duration writeTimeout,
        @DefaultValue("8MB") DataSize maxBatchBody,
        @DefaultValue("10s") @PositiveDuration Duration applyTimeout) {

    public FilesProperties {
        if (datasource != null && (datasource.url() == null || datasource.url().isBlank())) {
            datasource = null;
        }
        long max = FileTopics.MAX_COMMAND_BYTES / 2;
        if (maxBatchBody == null || maxBatchBody.toBytes() < 1 || maxBatchBody.toBytes() > max) {
            throw new IllegalArgumentException("files.max-batch-body must be between 1B and " + max + "B, got "
                    + maxBatchBody);
        }
    }

    /**
     * Read-only access to {@code projects} and {@code project_files}, the provisioner's tables: a role with
     * {@code SELECT} on those two tables is enough (the API never writes them). Point it at the primary (or a
     * replica without lag), so that a read after a write that answered 200 sees it.
     *
     * @param url         JDBC URL of the database the provisioner writes, e.g.
     *                    {@code jdbc:postgresql://db:5432/velocity}; a role with SELECT on {@code projects} and
     *                    {@code project_files} is enough (the API never writes them); point it at the primary, so a
     *                    read after a write answered 200 sees it. Unset: every files endpoint answers 503
     *                    {@code files_not_configured}
     * @param username    the database role
     * @param password    its password (a secret: pass it as
     *                    {@code VELOCITY_SESSION_SERVICE_FILES_DATASOURCE_PASSWORD})
     * @param maxPoolSize most connections the API holds open
     */
    public record Datasource(@NotBlank String url, @Nullable String username, @Nullable Secret password,
                             @DefaultValue("4") @Min(1) int maxPoolSize) {
    }
}
