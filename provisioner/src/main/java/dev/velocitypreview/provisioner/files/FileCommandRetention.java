package dev.velocitypreview.provisioner.files;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Deletes the outcomes of file commands older than the retention from {@code project_file_commands}, a batch at a
 * time so no statement holds many row locks or runs long; without it the table grows with every write forever.
 */
final class FileCommandRetention {

    private static final Logger LOG = LoggerFactory.getLogger(FileCommandRetention.class);
    static final int BATCH = 1_000;

    private final NamedParameterJdbcTemplate jdbc;
    private final Duration retention;
    private final Clock clock;

    FileCommandRetention(NamedParameterJdbcTemplate jdbc, Duration retention, Clock clock) {
        this.jdbc = jdbc;
        this.retention = retention;
        this.clock = clock;
    }

    /** Deletes what is past the retention now; returns how many outcomes it deleted. */
    int prune() {
        Timestamp before = Timestamp.from(clock.instant().minus(retention));
        int deleted = 0;
        int batch;
        do {
            batch = jdbc.update("""
                    DELETE FROM project_file_commands WHERE command_id IN (
                        SELECT command_id FROM project_file_commands WHERE applied_at < :before LIMIT :batch)""",
                    Map.of("before", before, "batch", BATCH));
            deleted += batch;
        } while (batch == BATCH);
        if (deleted > 0) {
            LOG.atInfo().addKeyValue("deleted", deleted).addKeyValue("appliedBefore", before.toInstant())
                    .log("file command outcomes past their retention deleted");
        }
        return deleted;
    }

    /** {@link #prune} for a scheduler: a database failure is logged and the next run tries again. */
    void pruneQuietly() {
        try {
            prune();
        } catch (DataAccessException e) {
            LOG.atWarn().setCause(e).log("file command outcomes not pruned, next run tries again");
        }
    }
}
