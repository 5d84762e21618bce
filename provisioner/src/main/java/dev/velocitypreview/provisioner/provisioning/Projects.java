package dev.velocitypreview.provisioner.provisioning;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;

import dev.velocitypreview.machines.ProjectFile;
import dev.velocitypreview.provisioner.pool.PoolFiles;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;
import dev.velocitypreview.templates.TemplateFile;

/**
 * {@code projects} and {@code project_files}, written only here. A project that a session asks for and that does
 * not exist yet is made from the session's template; one that exists with no files gets its template's files.
 */
final class Projects {

    private static final Logger LOG = LoggerFactory.getLogger(Projects.class);

    private final NamedParameterJdbcTemplate jdbc;
    private final TemplateCatalog templates;

    Projects(NamedParameterJdbcTemplate jdbc, TemplateCatalog templates) {
        this.jdbc = jdbc;
        this.templates = templates;
    }

    /**
     * Makes sure the project exists and has files; safe to call again, and from concurrent sessions of one project.
     * A project with files (the common case) is left at once, without a lock. Otherwise this must run in a
     * transaction: the project's row stays locked until it ends, so that a second session of a new project waits
     * for the first one's files and then finds them, instead of copying the template again (never
     * check-then-insert: the row is inserted if missing, then locked, then its files are looked at again).
     *
     * <p>A project without files gets the template it records in {@code template_type}; a new one, or one whose
     * record names no known template (an old {@code static} project), gets {@code requested}, recorded from then on.
     * A project with files keeps them untouched.
     *
     * @param requested the CREATE's template; null (a command from before templates) means the default
     * @throws IllegalArgumentException when {@code requested} is needed and is not a template of this catalog
     */
    void ensureExists(UUID sessionId, UUID projectId, String ownerId, @Nullable String requested) {
        MapSqlParameterSource project = new MapSqlParameterSource("id", projectId);
        if (hasFiles(project)) {
            return;
        }
        String fallback = requested == null ? TemplateCatalog.DEFAULT : requested;
        jdbc.update("""
                INSERT INTO projects (id, name, description, template_type, owner_id)
                VALUES (:id, :name, NULL, :template, :ownerId)
                ON CONFLICT (id) DO NOTHING""",
                new MapSqlParameterSource()
                        .addValue("id", projectId)
                        .addValue("name", "Project " + projectId.toString().substring(0, 8))
                        .addValue("template", fallback)
                        .addValue("ownerId", ownerId));
        String recorded = jdbc.queryForObject("SELECT template_type FROM projects WHERE id = :id FOR UPDATE",
                project, String.class);
        if (hasFiles(project)) {
            return;
        }
        Template template = templates.named(recorded == null ? "" : recorded).orElseGet(() -> templates.named(fallback)
                .orElseThrow(() -> new IllegalArgumentException(unknownTemplate(fallback))));
        // an old static project takes the template it is filled from as its own from now on
        jdbc.update("""
                UPDATE projects SET template_type = :template, description = COALESCE(description, :description),
                       updated_at = now()
                 WHERE id = :id""",
                new MapSqlParameterSource("id", projectId).addValue("template", template.name())
                        .addValue("description", template.description()));
        insertFiles(projectId, template.files());
        LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("project", projectId)
                .addKeyValue("template", template.name()).addKeyValue("files", template.files().size())
                .log("project files made from template");
    }

    /** Whether the project has any entry, read without a lock (as {@link #ensureExists} first looks). */
    boolean hasFiles(UUID projectId) {
        return hasFiles(new MapSqlParameterSource("id", projectId));
    }

    private boolean hasFiles(MapSqlParameterSource project) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM project_files WHERE project_id = :id)", project, Boolean.class));
    }

    private String unknownTemplate(@Nullable String template) {
        return "template '" + template + "' is not one of " + templates.all().stream().map(Template::name).toList()
                + " (the templates of this provisioner)";
    }

    /** The project's entries, directories included, in path order. */
    List<ProjectFile> files(UUID projectId) {
        return jdbc.query("""
                SELECT file_path, content, is_directory FROM project_files
                 WHERE project_id = :projectId ORDER BY file_path""",
                new MapSqlParameterSource("projectId", projectId),
                (rs, n) -> new ProjectFile(rs.getString("file_path"),
                        rs.getBoolean("is_directory") ? rs.getString("content")
                                : nonNull(rs.getString("content")),
                        rs.getBoolean("is_directory")));
    }

    /** The project's files (not its directories) with their versions, for a claim of a pooled machine. */
    List<PoolFiles.StoredFile> stored(UUID projectId) {
        return jdbc.query("""
                SELECT file_path, content, version FROM project_files
                 WHERE project_id = :projectId AND NOT is_directory ORDER BY file_path""",
                new MapSqlParameterSource("projectId", projectId),
                (rs, n) -> new PoolFiles.StoredFile(rs.getString("file_path"), nonNull(rs.getString("content")),
                        rs.getLong("version")));
    }

    private void insertFiles(UUID projectId, List<TemplateFile> files) {
        SqlParameterSource[] rows = files.stream().map(file -> new MapSqlParameterSource()
                .addValue("id", UUID.randomUUID())
                .addValue("projectId", projectId)
                .addValue("path", file.path())
                .addValue("content", file.content())
                .addValue("type", fileType(file.path()))
                .addValue("size", (long) file.content().getBytes(StandardCharsets.UTF_8).length))
                .toArray(SqlParameterSource[]::new);
        jdbc.batchUpdate("""
                INSERT INTO project_files (id, project_id, file_path, content, file_type, size)
                VALUES (:id, :projectId, :path, :content, :type, :size)
                ON CONFLICT (project_id, file_path) DO NOTHING""", rows);
    }

    /** The extension, as the original system recorded a file's type ({@code jsx}, {@code json}); null without one. */
    private static @Nullable String fileType(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot <= 0 || dot == name.length() - 1 ? null : name.substring(dot + 1);
    }

    private static String nonNull(String content) {
        // an empty file may be stored as NULL content
        return content == null ? "" : content;
    }
}
