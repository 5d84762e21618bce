package dev.velocitypreview.cleanup;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.velocitypreview.core.config.PositiveDuration;
import dev.velocitypreview.core.config.Secret;

/**
 * Settings of the cleanup service ({@code velocity.cleanup.*}).
 *
 * @param tick             how often each partition's due deadlines are looked at (expiry, idle, suspended
 *                         timeout, retention); an expiry is issued at most this much plus a commit late
 * @param suspendedTimeout how long a session may stay suspended before it is terminated with reason {@code idle}
 * @param retention        how long the row of an ended session is kept before it is purged (deleted; every
 *                         directory then forgets the session)
 * @param orphanGrace      how old a machine without a live session must be before it is reaped, so that a
 *                         machine being created (its row not written yet) is never reaped
 * @param orphanInterval   how often the machines are listed and compared with the sessions
 * @param machines         which machines to list
 * @param kafka            where the sessions, activity and commands are
 */
@ConfigurationProperties("velocity.cleanup")
@Validated
public record CleanupSettings(
        @DefaultValue("1s") @PositiveDuration Duration tick,
        @DefaultValue("1h") @PositiveDuration Duration suspendedTimeout,
        @DefaultValue("7d") @PositiveDuration Duration retention,
        @DefaultValue("2m") @PositiveDuration Duration orphanGrace,
        @DefaultValue("30s") @PositiveDuration Duration orphanInterval,
        @DefaultValue @Valid Machines machines,
        @DefaultValue @Valid Kafka kafka) {

    public CleanupSettings {
        Objects.requireNonNull(machines, "velocity.cleanup.machines is required");
        Objects.requireNonNull(kafka, "velocity.cleanup.kafka is required");
    }

    /**
     * Which machines cleanup lists to find orphans (machines without a live session) and lost machines
     * (live sessions without a machine).
     *
     * @param inventory {@code local} (the local driver's machine directories under {@code local.root-dir}),
     *                  {@code fly} (a Fly app's machines; needs {@code fly.*}) or {@code none} (no orphan
     *                  reconciliation)
     * @param local     the local driver's machines
     * @param fly       the Fly app's machines; required when {@code inventory} is {@code fly}
     */
    public record Machines(@DefaultValue("local") Inventory inventory, @DefaultValue @Valid Local local,
                           @Nullable @Valid Fly fly) {
        public Machines {
            Objects.requireNonNull(inventory, "velocity.cleanup.machines.inventory is required");
            Objects.requireNonNull(local, "velocity.cleanup.machines.local is required");
            if (inventory == Inventory.FLY && fly == null) {
                throw new IllegalArgumentException("velocity.cleanup.machines.inventory is fly but "
                        + "velocity.cleanup.machines.fly.* is not set (at least token and app)");
            }
        }
    }

    /** The machine listings cleanup can read. */
    public enum Inventory {
        /** The local process driver's machine directories. */
        LOCAL,
        /** The machines of a Fly app. */
        FLY,
        /** No listing: no orphans are reaped and no machine is reported lost. */
        NONE
    }

    /**
     * @param rootDir where the local driver keeps one directory per machine: the provisioner's
     *                {@code velocity.provisioner.machines.local.root-dir}; default
     *                {@code ${java.io.tmpdir}/velocity-preview/machines}, the provisioner's default too
     */
    public record Local(@Nullable Path rootDir) {
        public Local {
            if (rootDir == null) {
                rootDir = Path.of(System.getProperty("java.io.tmpdir"), "velocity-preview", "machines");
            }
        }
    }

    /**
     * @param baseUrl the Machines API: {@code https://api.machines.dev} when unset, or
     *                {@code http://_api.internal:4280} from inside Fly's private network
     * @param token   a Fly API token that may list the app's machines (a secret: pass it as
     *                {@code VELOCITY_CLEANUP_MACHINES_FLY_TOKEN}); never logged
     * @param app     the Fly app the preview machines belong to (the provisioner's
     *                {@code velocity.provisioner.machines.fly.app})
     */
    public record Fly(@Nullable URI baseUrl, Secret token, @NotBlank String app) {
        public Fly {
            Objects.requireNonNull(token, "velocity.cleanup.machines.fly.token is required");
        }
    }

    /**
     * Kafka settings of the cleanup streams application.
     *
     * @param bootstrapServers Kafka bootstrap servers
     * @param applicationId    Kafka Streams application id and consumer group; every cleanup instance of a
     *                         platform shares it, and they share the partitions (the sessions) between them
     * @param stateDir         Kafka Streams state directory (the per-session stores, restored from their
     *                         changelogs when missing); a temporary directory removed on stop when unset
     * @param createTopics     create the session topics ({@code preview.sessions}, compacted, and
     *                         {@code preview.session-commands}) with broker defaults when they are missing, as the
     *                         session directories do, or wait for their writers to create them
     * @param streams          further Kafka Streams settings, passed through as they are (for example
     *                         {@code security.protocol}); they override the settings above, except
     *                         {@code processing.guarantee}, which must stay {@code exactly_once_v2}
     */
    public record Kafka(
            @DefaultValue("localhost:9092") @NotBlank String bootstrapServers,
            @DefaultValue("cleanup") @NotBlank @jakarta.validation.constraints.Pattern(regexp = "[A-Za-z0-9._-]{1,100}",
                    message = "must be 1-100 of A-Z a-z 0-9 . _ -") String applicationId,
            @Nullable Path stateDir,
            @DefaultValue("true") boolean createTopics,
            @DefaultValue Map<String, String> streams) {

        public Kafka {
            streams = streams == null ? Map.of() : Map.copyOf(streams);
        }
    }
}
