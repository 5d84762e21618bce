package dev.velocitypreview.provisioner.provisioning;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import dev.velocitypreview.machines.ProjectFile;

/**
 * {@code projects} and {@code project_files}, written only here. A project that a session asks for
 * and that does not exist yet is created with a minimal static starter, so there is always a page
 * to show; real templates come later.
 */
final class Projects {

    private final NamedParameterJdbcTemplate jdbc;

    Projects(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Creates the project and its starter files unless the project exists; safe to call again. */
    void ensureExists(UUID projectId, String ownerId) {
        String name = "Project " + projectId.toString().substring(0, 8);
        int inserted = jdbc.update("""
                INSERT INTO projects (id, name, description, template_type, owner_id)
                VALUES (:id, :name, :description, 'static', :ownerId)
                ON CONFLICT (id) DO NOTHING""",
                new MapSqlParameterSource()
                        .addValue("id", projectId)
                        .addValue("name", name)
                        .addValue("description", "static starter")
                        .addValue("ownerId", ownerId));
        if (inserted == 0) {
            return;
        }
        insertFile(projectId, "index.html", "html", indexHtml(projectId, name));
        insertFile(projectId, "style.css", "css", STYLE_CSS);
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

    private void insertFile(UUID projectId, String path, String type, String content) {
        jdbc.update("""
                INSERT INTO project_files (id, project_id, file_path, content, file_type, size)
                VALUES (:id, :projectId, :path, :content, :type, :size)
                ON CONFLICT (project_id, file_path) DO NOTHING""",
                new MapSqlParameterSource()
                        .addValue("id", UUID.randomUUID())
                        .addValue("projectId", projectId)
                        .addValue("path", path)
                        .addValue("content", content)
                        .addValue("type", type)
                        .addValue("size", (long) content.getBytes(StandardCharsets.UTF_8).length));
    }

    private static String nonNull(String content) {
        // an empty file may be stored as NULL content
        return content == null ? "" : content;
    }

    /** {@code name} is made from the id here, so it needs no escaping. */
    private static String indexHtml(UUID projectId, String name) {
        return """
                <!doctype html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>%1$s</title>
                  <link rel="stylesheet" href="style.css">
                </head>
                <body>
                  <main>
                    <h1>%1$s</h1>
                    <p>Project <code>%2$s</code> is live on Velocity Preview.</p>
                  </main>
                </body>
                </html>
                """.formatted(name, projectId);
    }

    private static final String STYLE_CSS = """
            body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
            main { max-width: 40rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 8px; }
            code { background: #eef0f4; padding: 0.1rem 0.3rem; border-radius: 4px; }
            """;
}
