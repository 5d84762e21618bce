package dev.velocitypreview.cdc;

import java.util.UUID;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.ProjectFileNotice;
import dev.velocitypreview.core.topic.Topics;

/**
 * {@code project_files} to {@link Topics#PROJECT_FILES}: one {@link ProjectFileNotice} per changed row, keyed by the
 * project id, never with content. The change's key is {@code (project_id, file_path)} (the engine's
 * {@code message.key.columns}), which a delete carries too: the table's replica identity is that unique index. A
 * delete's before-image holds nothing else, so its notice has version 0.
 */
final class ProjectFileRoute implements TableRoute {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectFileRoute.class);

    @Override
    public String table() {
        return ChangelogRelaySettings.PROJECT_FILES_TABLE;
    }

    @Override
    public Outgoing outgoing(SourceRecord change) {
        String projectId = keyField(change, "project_id");
        String path = keyField(change, "file_path");
        if (projectId == null || path == null) {
            // Only a delete under another replica identity than the migrations' lacks them (the relay warns of that
            // at start). Passed over rather than failed: no retry could read it, and stopping would stop the
            // sessions changelog too; a machine catches up with the delete at its next sync anyway.
            LOG.atError().addKeyValue("table", table()).addKeyValue("key", change.key())
                    .log("project file change without project and path passed over");
            return null;
        }
        projectId = Keys.uuid(change, "project_id", "project_files");
        boolean deleted = change.value() == null;
        long version = change.value() instanceof Struct row && row.schema().field("version") != null
                ? row.getInt64("version")
                : 0;
        ProjectFileNotice notice = new ProjectFileNotice(UUID.fromString(projectId), path, version, deleted);
        return new Outgoing(Topics.PROJECT_FILES.name(), projectId, EditCodec.encodeNotice(notice),
                new Subject("project", projectId),
                deleted ? "deletion of file " + path : "change of file " + path + " (version " + version + ")");
    }

    /**
     * A key field's text, or null when the change does not carry it: Debezium fills a NOT NULL column that a
     * delete's before-image lacks with its type's fallback, an empty string for both of these.
     */
    private static String keyField(SourceRecord change, String field) {
        if (!(change.key() instanceof Struct key) || key.schema().field(field) == null) {
            return null;
        }
        Object value = key.get(field);
        return value == null || value.toString().isEmpty() ? null : value.toString();
    }
}
