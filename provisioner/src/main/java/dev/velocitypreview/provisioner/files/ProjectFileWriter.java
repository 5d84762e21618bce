package dev.velocitypreview.provisioner.files;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.velocitypreview.core.files.FileChange;
import dev.velocitypreview.core.files.FileCodec;
import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import dev.velocitypreview.core.files.FileRefusal;
import dev.velocitypreview.core.files.FileRefusedException;
import dev.velocitypreview.core.files.FileRules;

/**
 * Applies a {@link FileCommand} to {@code project_files} in one transaction: the project row is locked (so the
 * writes of one project never interleave, whichever provisioner applies them), the caller must own it, every
 * {@code If-Match} must hold, every rule of {@link FileRules} is checked again (the API's checks are not trusted),
 * and the outcome is stored with the command id, so a redelivered command gets the stored outcome back and changes
 * nothing. A refusal is stored too: the same command always gets the same answer.
 */
final class ProjectFileWriter {

    private static final String EMPTY_SHA256 = FileRules.sha256("");

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final FileRules rules;

    ProjectFileWriter(NamedParameterJdbcTemplate jdbc, TransactionTemplate transactions, FileRules rules) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.rules = rules;
    }

    /** The outcome, and whether it was stored earlier (a redelivery). */
    record Result(FileOutcome outcome, boolean redelivered) {
    }

    /** @throws org.springframework.dao.DataAccessException when the database fails; nothing is written then */
    Result apply(FileCommand command) {
        return transactions.execute(status -> {
            // locked first, so that two deliveries of one command (a rebalance) take turns and the second finds the first's outcome
            List<String> owners = jdbc.queryForList("SELECT owner_id FROM projects WHERE id = :id FOR UPDATE",
                    new MapSqlParameterSource("id", command.projectId()), String.class);
            FileOutcome stored = storedOutcome(command.commandId());
            if (stored != null) {
                return new Result(stored, true);
            }
            FileOutcome outcome;
            try {
                outcome = applyChecked((FileCommand.Write) command, owners);
            } catch (FileRefusedException e) {
                // every rule is checked before the first row is written: a refusal has changed nothing
                outcome = new FileOutcome.Refused(command.commandId(), e.refusal());
            }
            record(command, outcome);
            return new Result(outcome, false);
        });
    }

    private FileOutcome applyChecked(FileCommand.Write write, List<String> owners) {
        UUID projectId = write.projectId();
        if (owners.isEmpty() || !owners.get(0).equals(write.userId())) {
            // another user's project answers as an unknown one, so ids cannot be probed
            throw new FileRefusal(FileRefusal.PROJECT_NOT_FOUND, 404, "no project " + projectId + " of yours", null, null)
                    .exception();
        }
        for (FileChange change : write.changes()) {
            rules.checkPath(change.path());
            if (change instanceof FileChange.Put put) {
                rules.checkContent(put.path(), put.content());
            }
        }
        Map<String, long[]> current = current(projectId, write.changes().stream().map(FileChange::path).toList());
        Map<String, Object> totals = jdbc.queryForMap("""
                SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes FROM project_files
                 WHERE project_id = :id AND NOT is_directory""", new MapSqlParameterSource("id", projectId));
        long files = ((Number) totals.get("files")).longValue();
        long bytes = ((Number) totals.get("bytes")).longValue();
        for (FileChange change : write.changes()) {
            long[] versionAndSize = current.get(change.path());
            Long expected = change.expectedVersion();
            if (expected != null && (versionAndSize == null || versionAndSize[0] != expected)) {
                throw new FileRefusal(FileRefusal.STALE_VERSION, 412, versionAndSize == null
                        ? change.path() + " does not exist, so it is not at version " + expected
                        : change.path() + " is at version " + versionAndSize[0] + ", not " + expected,
                        change.path(), versionAndSize == null ? null : versionAndSize[0]).exception();
            }
            if (change instanceof FileChange.Put put) {
                if (versionAndSize == null) {
                    files++;
                } else {
                    bytes -= versionAndSize[1];
                }
                bytes += FileRules.sizeOf(put.content());
            } else if (versionAndSize == null) {
                throw new FileRefusal(FileRefusal.FILE_NOT_FOUND, 404, change.path() + " does not exist", change.path(),
                        null).exception();
            } else {
                files--;
                bytes -= versionAndSize[1];
            }
        }
        rules.checkProject(files, bytes);
        List<FileOutcome.FileResult> results = new ArrayList<>();
        for (FileChange change : write.changes()) {
            results.add(change instanceof FileChange.Put put ? put(projectId, put) : delete(projectId, change.path()));
        }
        jdbc.update("UPDATE projects SET updated_at = now() WHERE id = :id", new MapSqlParameterSource("id", projectId));
        return new FileOutcome.Applied(write.commandId(), results);
    }

    /** Version and size of each of {@code paths} that exists. */
    private Map<String, long[]> current(UUID projectId, List<String> paths) {
        Map<String, long[]> found = new HashMap<>();
        jdbc.query("""
                SELECT file_path, version, size FROM project_files
                 WHERE project_id = :id AND file_path IN (:paths) AND NOT is_directory""",
                new MapSqlParameterSource("id", projectId).addValue("paths", paths),
                rs -> {
                    found.put(rs.getString("file_path"), new long[] {rs.getLong("version"), rs.getLong("size")});
                });
        return found;
    }

    private FileOutcome.FileResult put(UUID projectId, FileChange.Put put) {
        long size = put.content().getBytes(StandardCharsets.UTF_8).length;
        Long version = jdbc.queryForObject("""
                INSERT INTO project_files (id, project_id, file_path, content, file_type, size, version, updated_at)
                VALUES (:id, :projectId, :path, :content, :type, :size, 1, now())
                ON CONFLICT (project_id, file_path) DO UPDATE
                   SET content = excluded.content, file_type = excluded.file_type, size = excluded.size,
                       version = project_files.version + 1, updated_at = now()
                RETURNING version""",
                new MapSqlParameterSource()
                        .addValue("id", UUID.randomUUID())
                        .addValue("projectId", projectId)
                        .addValue("path", put.path())
                        .addValue("content", put.content())
                        .addValue("type", fileType(put.path()))
                        .addValue("size", size), Long.class);
        return new FileOutcome.FileResult(put.path(), version, size, FileRules.sha256(put.content()), false);
    }

    private FileOutcome.FileResult delete(UUID projectId, String path) {
        Long version = jdbc.queryForObject("""
                DELETE FROM project_files WHERE project_id = :projectId AND file_path = :path RETURNING version""",
                new MapSqlParameterSource("projectId", projectId).addValue("path", path), Long.class);
        return new FileOutcome.FileResult(path, version, 0, EMPTY_SHA256, true);
    }

    private FileOutcome storedOutcome(UUID commandId) {
        List<String> stored = jdbc.queryForList("SELECT outcome FROM project_file_commands WHERE command_id = :id",
                new MapSqlParameterSource("id", commandId), String.class);
        return stored.isEmpty() ? null : FileCodec.decodeOutcome(stored.get(0).getBytes(StandardCharsets.UTF_8));
    }

    private void record(FileCommand command, FileOutcome outcome) {
        jdbc.update("""
                INSERT INTO project_file_commands (command_id, project_id, outcome) VALUES (:id, :projectId, :outcome)
                ON CONFLICT (command_id) DO NOTHING""",
                new MapSqlParameterSource("id", command.commandId()).addValue("projectId", command.projectId())
                        .addValue("outcome", new String(FileCodec.encodeOutcome(outcome), StandardCharsets.UTF_8)));
    }

    /** The extension, as the {@code file_type} column has held it since the first starter files. */
    private static String fileType(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot <= 0 || dot == name.length() - 1 ? null : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
