package dev.velocitypreview.provisioner;

import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * A project that exists with files before its first session: one static page naming the project. The
 * provisioner keeps such a project's files as they are, so a test of machines and commands serves a page
 * without a template's dev server (and its {@code npm ci}).
 */
final class StaticProjects {

    private StaticProjects() {
    }

    static UUID insert(NamedParameterJdbcTemplate jdbc, String owner) {
        UUID id = UUID.randomUUID();
        String page = "<!doctype html><title>static</title><p>Project " + id + "</p>\n";
        jdbc.update("INSERT INTO projects (id, name, template_type, owner_id) VALUES (:id, 'static', 'static', :owner)",
                Map.of("id", id, "owner", owner));
        jdbc.update("""
                INSERT INTO project_files (id, project_id, file_path, content, file_type, size)
                VALUES (:id, :project, 'index.html', :content, 'html', :size)""",
                Map.of("id", UUID.randomUUID(), "project", id, "content", page, "size", page.length()));
        return id;
    }
}
