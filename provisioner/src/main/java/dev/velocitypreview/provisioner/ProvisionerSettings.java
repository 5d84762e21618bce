package dev.velocitypreview.provisioner;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.velocitypreview.core.config.PositiveDuration;
import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.core.retry.Backoff;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.machines.fly.FlyMachinesSettings;

/**
 * Everything the provisioner can be told, under {@code velocity.provisioner}.
 *
 * @param kafka        where commands come from and dead letters go
 * @param concurrency  how many sessions are worked on at once
 * @param retry        how transient database failures are retried before a session fails (machine calls are
 *                     retried by the machine driver alone)
 * @param readyTimeout how long a new machine may take to report healthy before its session fails. Healthy means
 *                     its dev server answered its first page, so on a local machine this covers a cold
 *                     {@code npm ci} of the template and the first compile: measured on a 2-core box for the
 *                     slowest template (Next.js), about 26 s of install and 18 s to the first page; the default
 *                     leaves room for a loaded machine. Once the shared store holds a lockfile's dependencies,
 *                     the next machine skips the install. Fly machines carry prepared dependencies in their image
 * @param machines     where previews run
 * @param files        how long the outcomes of file commands are kept
 * @param pool         the warm pools: machines made ahead of sessions, which a session claims instead of waiting for
 *                     a machine of its own; none unless configured
 */
@ConfigurationProperties("velocity.provisioner")
@Validated
public record ProvisionerSettings(
        @DefaultValue @Valid Kafka kafka,
        @DefaultValue @Valid Concurrency concurrency,
        @DefaultValue @Valid Retry retry,
        @DefaultValue("180s") @PositiveDuration Duration readyTimeout,
        @DefaultValue @Valid Machines machines,
        @DefaultValue @Valid Files files,
        @DefaultValue @Valid Pool pool) {

    public ProvisionerSettings {
        Objects.requireNonNull(kafka, "kafka == null");
        Objects.requireNonNull(concurrency, "concurrency == null");
        Objects.requireNonNull(retry, "retry == null");
        Objects.requireNonNull(machines, "machines == null");
        Objects.requireNonNull(files, "files == null");
        Objects.requireNonNull(pool, "pool == null");
    }

    /**
     * Warm pools. Each keeps machines of one template ready, at one machine size: runtime up, dependencies in place,
     * dev server started on the template's files and compiled (on Fly, suspended in that state). A CREATE whose
     * project has the template's {@code package.json} and {@code package-lock.json}, and whose tier grants that size,
     * claims one: the project's files that differ from the template's are written into it through the live-edit
     * channel, and the session is ACTIVE once its dev server has them. A pool that is empty, or a project that fits
     * none, gets a fresh machine as without pools. A claimed machine is the session's alone and is never pooled
     * again; the pool makes a new one in the background.
     *
     * @param templates      machines to keep ready per template name (for example {@code react: 2}); a template not
     *                       named has no pool. Each pooled machine costs what a running preview does (a react
     *                       machine's runtime and Vite dev server take about 185 MiB locally), so keep it small on one
     *                       host. Default: none
     * @param machine        the size of pooled machines ({@code shared-cpu-1x:256MB}, the free tier's); a session whose
     *                       tier grants another size gets a fresh machine
     * @param warmTimeout    how long a pooled machine may take to become warm (a first {@code npm ci} of the template
     *                       included) before it is destroyed and made again
     * @param refillInterval how often each pool is topped up to its size, and how soon after a failed warm-up it is
     *                       tried again at the earliest (doubling after each failure in a row, at most 32 times this)
     * @param reconcileInterval how often the pooled machines the driver lists are compared with the pool: a pooled
     *                       machine no pool wants (its template left the pools, its pool shrank, its template's files
     *                       changed, or no place records it) is destroyed, and a place whose machine is gone is
     *                       forgotten
     */
    public record Pool(
            Map<String, Integer> templates,
            @DefaultValue("shared-cpu-1x:256MB") @NotBlank String machine,
            @DefaultValue("180s") @PositiveDuration Duration warmTimeout,
            @DefaultValue("1s") @PositiveDuration Duration refillInterval,
            @DefaultValue("30s") @PositiveDuration Duration reconcileInterval) {
        public Pool {
            templates = templates == null ? Map.of() : Map.copyOf(templates);
            templates.forEach((template, size) -> {
                if (size == null || size < 0) {
                    throw new IllegalArgumentException("pool.templates." + template + " must be 0 or more, got " + size);
                }
            });
            // parsed here so a wrong size fails the start, naming the setting
            try {
                MachineSize.fromWire(machine);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pool.machine: " + e.getMessage(), e);
            }
        }

        /** The size of pooled machines. */
        public MachineSize machineSize() {
            return MachineSize.fromWire(machine);
        }

        /** True when at least one template keeps machines ready. */
        public boolean enabled() {
            return templates.values().stream().anyMatch(size -> size > 0);
        }
    }

    /**
     * Every applied file command's outcome is kept in {@code project_file_commands}, so a command Kafka delivers
     * again is answered with its outcome instead of being applied a second time.
     *
     * @param commandRetention how long an outcome is kept. Keep it longer than the retention of
     *                         {@code preview.project-file-commands} (Kafka's default is 7 days) and than the
     *                         consumer group offsets' ({@code offsets.retention.minutes}, also 7 days): a group that
     *                         lost its offsets reads the topic again from its start, and only a kept outcome keeps an
     *                         old command from writing its old content again
     * @param pruneInterval    how often outcomes older than that are deleted (in batches, by one provisioner at a
     *                         time or several: a delete of rows already gone deletes nothing)
     */
    public record Files(
            @DefaultValue("8d") @PositiveDuration Duration commandRetention,
            @DefaultValue("1h") @PositiveDuration Duration pruneInterval) {
    }

    /**
     * @param bootstrapServers the Kafka brokers, {@code host:port[,host:port]}
     * @param groupId          the consumer group of all provisioner instances; they share the command partitions
     * @param pollTimeout      how long one poll waits for commands; also bounds how late a finished command is committed
     * @param consumer         raw settings of the command consumer, laid over {@code spring.kafka.consumer.*} and over
     *                         what the provisioner sets (group id, {@code auto.offset.reset=earliest},
     *                         {@code isolation.level=read_committed}); auto commit is always off, commits follow
     *                         finished work, and an {@code isolation.level} other than {@code read_committed} is
     *                         refused at start (cleanup's commands come in transactions)
     * @param producer         raw settings of the dead-letter producer, laid over {@code spring.kafka.producer.*} and
     *                         over what the provisioner sets ({@code acks=all}, idempotence)
     */
    public record Kafka(
            @DefaultValue("localhost:9092") @NotBlank String bootstrapServers,
            @DefaultValue("provisioner") @NotBlank String groupId,
            @DefaultValue("100ms") @PositiveDuration Duration pollTimeout,
            Map<String, String> consumer,
            Map<String, String> producer) {
        public Kafka {
            consumer = consumer == null ? Map.of() : Map.copyOf(consumer);
            producer = producer == null ? Map.of() : Map.copyOf(producer);
        }
    }

    /**
     * @param workers      worker threads; commands of different sessions run on them concurrently
     * @param maxInFlight  commands taken from Kafka but not finished; above it, consumption pauses until half are done
     * @param drainTimeout on shutdown, how long commands already running may take to finish
     */
    public record Concurrency(
            @DefaultValue("16") @Min(1) int workers,
            @DefaultValue("256") @Min(1) int maxInFlight,
            @DefaultValue("30s") @PositiveDuration Duration drainTimeout) {
    }

    /**
     * Exponential backoff with equal jitter: after the n-th failure the step waits between half and all of
     * {@code initialDelay * 2^(n-1)}, at most {@code maxDelay}.
     *
     * @param maxAttempts  attempts in all, the first included
     * @param initialDelay wait before the second attempt
     * @param maxDelay     longest wait between two attempts
     */
    public record Retry(
            @DefaultValue("5") @Min(1) int maxAttempts,
            @DefaultValue("200ms") @PositiveDuration Duration initialDelay,
            @DefaultValue("5s") @PositiveDuration Duration maxDelay) {
        public Retry {
            // one setting against another: beyond what a constraint on one of them can say
            if (initialDelay != null && maxDelay != null && maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("retry.max-delay must be >= retry.initial-delay, got "
                        + maxDelay + " < " + initialDelay);
            }
        }

        /** The waits between attempts. */
        public Backoff backoff() {
            return new Backoff(initialDelay, maxDelay);
        }
    }

    /**
     * @param driver where previews run: {@code local} (child processes of this provisioner) or {@code fly}
     *               (Fly Machines; needs {@code machines.fly.*})
     * @param local  settings of the local driver
     * @param fly    settings of the Fly Machines driver; required when {@code driver} is {@code fly}
     * @param sync   how machines fetch live edits from the session API; unset: no live edits
     * @param previewDomain the domain previews are served under, the routers' {@code velocity.router.preview-domain}
     *               (for example {@code preview.example.com}); each machine gets it as {@code PREVIEW_DOMAIN} and
     *               hands it to its dev server, so a dev server that checks its page's origin (Next.js) accepts
     *               {@code <session id>.<domain>}. Unset: the local default {@code preview.localhost}, which the
     *               templates accept without it
     */
    public record Machines(@DefaultValue("local") Driver driver, @DefaultValue Local local, @Nullable Fly fly,
                           @DefaultValue Sync sync, @Nullable String previewDomain) {
        public Machines {
            Objects.requireNonNull(local, "machines.local == null");
            Objects.requireNonNull(sync, "machines.sync == null");
            if (driver == Driver.FLY && fly == null) {
                throw new IllegalArgumentException("machines.driver is fly but machines.fly.* is not set "
                        + "(at least token, app, image and regions)");
            }
        }
    }

    /**
     * Live edits: each machine's runtime syncs its session's files from the session API, pulling what changed.
     * Set both or neither; with neither, machines get no sync address and show the files they started with.
     *
     * @param url    the session API's base URL as the machines reach it (on Fly, its address on the private network,
     *               such as {@code http://velocity-sessions.internal:8080}); a machine syncs at
     *               {@code <url>/machine/v1/sessions/<session id>/sync} ({@code PREVIEW_SYNC_URL}). Set with
     *               {@code secret} or not at all: without both, machines get no live edits (logged at start)
     * @param secret the session API's {@code velocity.session-service.sync.secret} (a secret: pass it as
     *               {@code VELOCITY_PROVISIONER_MACHINES_SYNC_SECRET}); each machine is given only its own session's
     *               token derived from it ({@code PREVIEW_SYNC_TOKEN}), so project code that reads its runtime's
     *               environment can sync no other session. Machines keep the token they were created with: a changed
     *               secret ends the live edits of machines created before the change
     */
    public record Sync(@Nullable URI url, @Nullable Secret secret) {
        public Sync {
            if (secret != null && secret.isBlank()) {
                secret = null;
            }
            if ((url == null) != (secret == null)) {
                throw new IllegalArgumentException("machines.sync.url and machines.sync.secret go together: set both"
                        + " for live edits, or neither");
            }
            if (url != null && (!url.isAbsolute() || !("http".equals(url.getScheme()) || "https".equals(url.getScheme())))) {
                throw new IllegalArgumentException("machines.sync.url must be an absolute http or https URL, got " + url);
            }
        }

        /** Both are set: machines sync their files. */
        public boolean enabled() {
            return url != null;
        }
    }

    /** The machine drivers the provisioner can use. */
    public enum Driver {
        LOCAL, FLY
    }

    /**
     * The Fly Machines driver. Finer settings (timeouts, rate limits, retries, runtime wiring) keep the
     * driver's documented defaults, which follow Fly's published limits. Machine sizes are not set here:
     * each machine gets the size its session's tier grants, from the session API's tier table
     * ({@code velocity.session-service.tiers.*.machine}).
     *
     * @param baseUrl the Machines API: {@code https://api.machines.dev}, or {@code http://_api.internal:4280}
     *                from inside Fly's private network
     * @param token   the Fly API token (a secret: pass it as {@code VELOCITY_PROVISIONER_MACHINES_FLY_TOKEN})
     * @param app     the Fly app the preview machines belong to
     * @param image   the preview machine image (preview-runtime and Node)
     * @param regions regions to create machines in, in order of preference; a region out of capacity moves
     *                the create to the next
     * @param machineUrl a machine's runtime as this provisioner (health) and the routers (proxy mode) reach it,
     *                with the placeholders {@code {machine}}, {@code {app}} and {@code {port}}; it is stored as
     *                the session's machine URL. Default {@code http://{machine}.vm.{app}.internal:{port}}, Fly's
     *                private DNS name of the machine
     * @param replayState the routers' {@code velocity.router.fly.replay-state} (a secret: pass it as
     *                {@code VELOCITY_PROVISIONER_MACHINES_FLY_REPLAYSTATE}); each machine is given only its own
     *                session's state derived from it, so project code that reads its runtime's environment can
     *                reach no other machine. Unset: machines check no replay state
     */
    public record Fly(@Nullable URI baseUrl, Secret token, String app, String image, List<String> regions,
                      @Nullable String machineUrl, @Nullable Secret replayState) {

        FlyMachinesSettings toDriverSettings() {
            FlyMachinesSettings.Runtime runtime = (machineUrl == null || machineUrl.isBlank()
                    ? FlyMachinesSettings.Runtime.DEFAULT
                    : FlyMachinesSettings.Runtime.DEFAULT.withHealthUrlTemplate(machineUrl))
                    .withReplaySecret(replayState == null || replayState.isBlank() ? null : replayState);
            return new FlyMachinesSettings(baseUrl, token, app, image, regions, null, null, runtime, null,
                    null, null);
        }
    }

    /**
     * @param rootDir             where the local driver keeps one directory per machine;
     *                            default {@code ${java.io.tmpdir}/velocity-preview/machines}
     * @param classpath           classpath of the machines' runtime (preview-runtime and its libraries);
     *                            default: this JVM's {@code java.class.path}
     * @param stopMachinesOnClose stop the machines (child processes) when the provisioner stops, so none outlives
     *                            it; startup recovery starts them again next time
     */
    public record Local(Path rootDir, String classpath, @DefaultValue("true") boolean stopMachinesOnClose) {
        public Local {
            if (rootDir == null) {
                rootDir = Path.of(System.getProperty("java.io.tmpdir"), "velocity-preview", "machines");
            }
        }
    }
}
