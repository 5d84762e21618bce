package dev.velocitypreview.cdc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import dev.velocitypreview.core.config.Constraints;
import dev.velocitypreview.core.config.PositiveDuration;
import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.core.retry.Backoff;

/**
 * Everything the {@link ChangelogRelay} needs. Build it with {@link #builder(String, String, String)};
 * every field not given keeps the default named in its description.
 *
 * <p>The database should run with {@code synchronous_commit=on}: the WAL sender only ships flushed
 * WAL, so with it off every change waits for the WAL writer (~190 ms measured here). Correctness does
 * not depend on it.
 *
 * @param jdbcUrl                 {@code jdbc:postgresql://host[:port]/database[?...]} of the captured
 *                                database; required. Host, port and database name are derived from it
 *                                for Debezium, which does not take a JDBC url.
 * @param username                database user with the {@code REPLICATION} attribute that owns the
 *                                captured tables (so the publication can be created); required
 * @param password                its password; may be empty, never null
 * @param bootstrapServers        Kafka bootstrap servers; default {@code localhost:9092}
 * @param slotName                logical replication slot of this relay; default {@code velocity_preview}.
 *                                Also names the engine, so offsets are keyed by slot.
 * @param publicationName         publication the slot reads (created, filtered to {@code tables});
 *                                default {@code velocity_preview_pub}
 * @param tables                  captured tables as {@code schema.table}; default
 *                                {@code [public.preview_sessions, public.project_files]}. Changes of
 *                                {@code public.preview_sessions} become {@code preview.sessions}, those of
 *                                {@code public.project_files} {@code preview.project-files}; changes of other
 *                                tables are acknowledged and skipped. {@code project_files} is streamed only,
 *                                never snapshotted: its notices wake syncs, and rows that exist already need none.
 * @param pollInterval            how long the engine waits for more changes before handing over a
 *                                batch; default 10 ms (Debezium's 500 ms puts ~500 ms on every change)
 * @param heartbeatInterval       heartbeat period, so an idle table does not pin WAL; default 10 s
 * @param offsetFlushInterval     how often processed offsets are written to the offsets topic and the
 *                                slot advanced; bounds what a successor replays; default 1 s
 * @param sessionsTopicPartitions partitions of the sessions topic when the relay creates it; default 6
 *                                (consumer groups such as cleanup can spread over up to 6 members)
 * @param projectFilesTopicPartitions partitions of the project files topic when the relay creates it;
 *                                default 6, like the sessions topic
 * @param projectFilesRetention   how long the project files topic keeps a notice when the relay creates it
 *                                (delete policy, not compacted: a notice only wakes the syncs of machines that
 *                                are waiting now, and a machine catches up by syncing); default 1 day
 * @param offsetsTopicPartitions  partitions of the offsets topic when created; default 1
 * @param replicationFactor       replication factor of the topics when created; default 1 (the
 *                                embedded single broker); use 3 on a real cluster
 * @param sendTimeout             how long a batch waits for Kafka's acknowledgements before it fails
 *                                and the engine restarts; default 30 s
 * @param lockKey                 key of the PostgreSQL advisory lock that lets exactly one relay
 *                                stream per database; default {@link #DEFAULT_LOCK_KEY}
 * @param standbyRetry            how often a standby relay tries to take the lock; default 5 s
 * @param lockCheckInterval       how often the streaming relay checks its lock connection is alive;
 *                                default 2 s
 * @param restartBackoff          the wait before restarting an engine that stopped with an error, growing
 *                                with each failure in a row; default from 1 s up to 30 s
 * @param producerOverrides       raw Kafka producer settings laid over ours (acks=all, idempotence,
 *                                linger.ms=0); settings the admin client knows (security, ...) go to
 *                                it too; default empty
 * @param engineOverrides         raw Debezium engine/connector settings laid over ours last, for
 *                                example {@code database.sslmode}, {@code snapshot.mode}, or Kafka
 *                                client security settings of the offset store; default empty
 */
public record ChangelogRelaySettings(
        @NotBlank String jdbcUrl,
        @NotBlank String username,
        @NotNull Secret password,
        @NotBlank String bootstrapServers,
        @NotNull @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_RULE) String slotName,
        @NotNull @Pattern(regexp = IDENTIFIER, message = IDENTIFIER_RULE) String publicationName,
        @NotEmpty List<@NotNull @Pattern(regexp = TABLE, message = "must be a schema.table name") String> tables,
        @NotNull @PositiveDuration Duration pollInterval,
        @NotNull @PositiveDuration Duration heartbeatInterval,
        @NotNull @PositiveDuration Duration offsetFlushInterval,
        @Min(1) int sessionsTopicPartitions,
        @Min(1) int projectFilesTopicPartitions,
        @NotNull @PositiveDuration Duration projectFilesRetention,
        @Min(1) int offsetsTopicPartitions,
        @Min(1) short replicationFactor,
        @NotNull @PositiveDuration Duration sendTimeout,
        long lockKey,
        @NotNull @PositiveDuration Duration standbyRetry,
        @NotNull @PositiveDuration Duration lockCheckInterval,
        @NotNull Backoff restartBackoff,
        Map<String, String> producerOverrides,
        Map<String, String> engineOverrides) {

    // Slot and publication names go into SQL and must be valid unquoted PostgreSQL identifiers;
    // slot names are further limited to lower case, digits and underscores.
    static final String IDENTIFIER = "[a-z_][a-z0-9_]{0,62}";
    static final String IDENTIFIER_RULE = "must be 1-63 lower-case letters, digits or underscores, not starting with a digit";
    static final String TABLE = "[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*";

    /** "velocity" in ASCII: an arbitrary constant no other component of ours locks on. */
    public static final long DEFAULT_LOCK_KEY = 0x76656c6f63697479L;

    // The defaults a host's own settings also declare (the provisioner's velocity.provisioner.cdc.*): kept here
    // once, as constants Spring's @DefaultValue can name ("" + DEFAULT_POLL_INTERVAL_MS + "ms").
    public static final String DEFAULT_SLOT_NAME = "velocity_preview";
    public static final String DEFAULT_PUBLICATION_NAME = "velocity_preview_pub";
    public static final long DEFAULT_POLL_INTERVAL_MS = 10;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_S = 10;
    public static final long DEFAULT_OFFSET_FLUSH_INTERVAL_S = 1;
    public static final int DEFAULT_SESSIONS_TOPIC_PARTITIONS = 6;
    public static final int DEFAULT_PROJECT_FILES_TOPIC_PARTITIONS = 6;
    public static final long DEFAULT_PROJECT_FILES_RETENTION_H = 24;
    public static final short DEFAULT_REPLICATION_FACTOR = 1;
    public static final long DEFAULT_STANDBY_RETRY_S = 5;

    /** The table whose changes become {@code preview.sessions}. */
    public static final String SESSIONS_TABLE = "public.preview_sessions";

    /** The table whose changes become {@code preview.project-files} notices. */
    public static final String PROJECT_FILES_TABLE = "public.project_files";

    /** Checks only what it needs to build; the constraints are checked by {@link Builder#build()}. */
    public ChangelogRelaySettings {
        tables = List.copyOf(Objects.requireNonNull(tables, "tables == null"));
        producerOverrides = Map.copyOf(Objects.requireNonNull(producerOverrides, "producerOverrides == null"));
        engineOverrides = Map.copyOf(Objects.requireNonNull(engineOverrides, "engineOverrides == null"));
    }

    /** Host, port and database name of {@link #jdbcUrl()}, as Debezium takes them. */
    PostgresUrl database() {
        return PostgresUrl.parse(jdbcUrl);
    }

    /** Shows only the keys of the raw overrides, which may hold credentials (an sslpassword, a sasl.jaas.config). */
    @Override
    public String toString() {
        return "ChangelogRelaySettings[jdbcUrl=" + jdbcUrl + ", username=" + username + ", password=" + password
                + ", bootstrapServers=" + bootstrapServers + ", slotName=" + slotName
                + ", publicationName=" + publicationName + ", tables=" + tables + ", pollInterval=" + pollInterval
                + ", heartbeatInterval=" + heartbeatInterval + ", offsetFlushInterval=" + offsetFlushInterval
                + ", sessionsTopicPartitions=" + sessionsTopicPartitions
                + ", projectFilesTopicPartitions=" + projectFilesTopicPartitions
                + ", projectFilesRetention=" + projectFilesRetention
                + ", offsetsTopicPartitions=" + offsetsTopicPartitions + ", replicationFactor=" + replicationFactor
                + ", sendTimeout=" + sendTimeout + ", lockKey=" + lockKey + ", standbyRetry=" + standbyRetry
                + ", lockCheckInterval=" + lockCheckInterval + ", restartBackoff=" + restartBackoff
                + ", producerOverrides=" + producerOverrides.keySet()
                + ", engineOverrides=" + engineOverrides.keySet() + "]";
    }

    /** Settings for the given database with every other field at its default. */
    public static Builder builder(String jdbcUrl, String username, String password) {
        return new Builder(jdbcUrl, username, password);
    }

    /** A copy of these settings to change a few fields of. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Collects fields for {@link ChangelogRelaySettings}; starts from the documented defaults. */
    public static final class Builder {
        private final String jdbcUrl;
        private final String username;
        private final Secret password;
        private String bootstrapServers = "localhost:9092";
        private String slotName = DEFAULT_SLOT_NAME;
        private String publicationName = DEFAULT_PUBLICATION_NAME;
        private List<String> tables = List.of(SESSIONS_TABLE, PROJECT_FILES_TABLE);
        private Duration pollInterval = Duration.ofMillis(DEFAULT_POLL_INTERVAL_MS);
        private Duration heartbeatInterval = Duration.ofSeconds(DEFAULT_HEARTBEAT_INTERVAL_S);
        private Duration offsetFlushInterval = Duration.ofSeconds(DEFAULT_OFFSET_FLUSH_INTERVAL_S);
        private int sessionsTopicPartitions = DEFAULT_SESSIONS_TOPIC_PARTITIONS;
        private int projectFilesTopicPartitions = DEFAULT_PROJECT_FILES_TOPIC_PARTITIONS;
        private Duration projectFilesRetention = Duration.ofHours(DEFAULT_PROJECT_FILES_RETENTION_H);
        private int offsetsTopicPartitions = 1;
        private short replicationFactor = DEFAULT_REPLICATION_FACTOR;
        private Duration sendTimeout = Duration.ofSeconds(30);
        private long lockKey = DEFAULT_LOCK_KEY;
        private Duration standbyRetry = Duration.ofSeconds(DEFAULT_STANDBY_RETRY_S);
        private Duration lockCheckInterval = Duration.ofSeconds(2);
        private Backoff restartBackoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        private Map<String, String> producerOverrides = Map.of();
        private Map<String, String> engineOverrides = Map.of();

        private Builder(String jdbcUrl, String username, String password) {
            this.jdbcUrl = jdbcUrl;
            this.username = username;
            this.password = new Secret(Objects.requireNonNull(password, "password == null"));
        }

        private Builder(ChangelogRelaySettings s) {
            this(s.jdbcUrl, s.username, s.password.value());
            bootstrapServers = s.bootstrapServers;
            slotName = s.slotName;
            publicationName = s.publicationName;
            tables = s.tables;
            pollInterval = s.pollInterval;
            heartbeatInterval = s.heartbeatInterval;
            offsetFlushInterval = s.offsetFlushInterval;
            sessionsTopicPartitions = s.sessionsTopicPartitions;
            projectFilesTopicPartitions = s.projectFilesTopicPartitions;
            projectFilesRetention = s.projectFilesRetention;
            offsetsTopicPartitions = s.offsetsTopicPartitions;
            replicationFactor = s.replicationFactor;
            sendTimeout = s.sendTimeout;
            lockKey = s.lockKey;
            standbyRetry = s.standbyRetry;
            lockCheckInterval = s.lockCheckInterval;
            restartBackoff = s.restartBackoff;
            producerOverrides = s.producerOverrides;
            engineOverrides = s.engineOverrides;
        }

        public Builder bootstrapServers(String value) {
            bootstrapServers = value;
            return this;
        }

        public Builder slotName(String value) {
            slotName = value;
            return this;
        }

        public Builder publicationName(String value) {
            publicationName = value;
            return this;
        }

        public Builder tables(List<String> value) {
            tables = value;
            return this;
        }

        public Builder pollInterval(Duration value) {
            pollInterval = value;
            return this;
        }

        public Builder heartbeatInterval(Duration value) {
            heartbeatInterval = value;
            return this;
        }

        public Builder offsetFlushInterval(Duration value) {
            offsetFlushInterval = value;
            return this;
        }

        public Builder sessionsTopicPartitions(int value) {
            sessionsTopicPartitions = value;
            return this;
        }

        public Builder projectFilesTopicPartitions(int value) {
            projectFilesTopicPartitions = value;
            return this;
        }

        public Builder projectFilesRetention(Duration value) {
            projectFilesRetention = value;
            return this;
        }

        public Builder offsetsTopicPartitions(int value) {
            offsetsTopicPartitions = value;
            return this;
        }

        public Builder replicationFactor(short value) {
            replicationFactor = value;
            return this;
        }

        public Builder sendTimeout(Duration value) {
            sendTimeout = value;
            return this;
        }

        public Builder lockKey(long value) {
            lockKey = value;
            return this;
        }

        public Builder standbyRetry(Duration value) {
            standbyRetry = value;
            return this;
        }

        public Builder lockCheckInterval(Duration value) {
            lockCheckInterval = value;
            return this;
        }

        public Builder restartBackoff(Backoff value) {
            restartBackoff = value;
            return this;
        }

        public Builder producerOverrides(Map<String, String> value) {
            producerOverrides = value;
            return this;
        }

        public Builder engineOverrides(Map<String, String> value) {
            engineOverrides = value;
            return this;
        }

        /** @throws IllegalArgumentException naming every setting that breaks its constraint */
        public ChangelogRelaySettings build() {
            ChangelogRelaySettings settings = Constraints.check(new ChangelogRelaySettings(jdbcUrl, username, password, bootstrapServers, slotName,
                    publicationName, tables, pollInterval, heartbeatInterval, offsetFlushInterval,
                    sessionsTopicPartitions, projectFilesTopicPartitions, projectFilesRetention,
                    offsetsTopicPartitions, replicationFactor, sendTimeout, lockKey,
                    standbyRetry, lockCheckInterval, restartBackoff, producerOverrides,
                    engineOverrides));
            // Fail now, not when the engine first starts, if the url cannot be read.
            settings.database();
            return settings;
        }
    }
}
