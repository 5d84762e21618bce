package dev.velocitypreview.bench.rig;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateFile;

/**
 * Projects that exist, with files, before their first session: a template's files with some of them changed, so that
 * a preview shows the project rather than the template while its dependency files stay the template's (a warm pool of
 * the template fits it). Written straight into the tables, as test-kit's {@code StaticProjects} writes its fixtures
 * (the provisioner stays the only writer of the platform itself).
 */
final class TemplateProjects {

    private TemplateProjects() {
    }

    /** A new project of {@code owner}: {@code template}'s files, those named in {@code changed} with that content. */
    static UUID create(DataSource database, String owner, Template template, Map<String, String> changed) {
        UUID id = UUID.randomUUID();
        for (String path : changed.keySet()) {
            if (template.files().stream().noneMatch(file -> file.path().equals(path))) {
                throw new IllegalArgumentException(template.name() + " has no file " + path);
            }
        }
        try (Connection connection = database.getConnection();
             PreparedStatement project = connection.prepareStatement(
                     "INSERT INTO projects (id, name, template_type, owner_id) VALUES (?, ?, ?, ?)");
             PreparedStatement file = connection.prepareStatement("""
                     INSERT INTO project_files (id, project_id, file_path, content, size) VALUES (?, ?, ?, ?, ?)""")) {
            connection.setAutoCommit(false);
            project.setObject(1, id);
            project.setString(2, template.name() + " " + id);
            project.setString(3, template.name());
            project.setString(4, owner);
            project.executeUpdate();
            for (TemplateFile templateFile : template.files()) {
                String content = changed.getOrDefault(templateFile.path(), templateFile.content());
                file.setObject(1, UUID.randomUUID());
                file.setObject(2, id);
                file.setString(3, templateFile.path());
                file.setString(4, content);
                file.setLong(5, content.getBytes(StandardCharsets.UTF_8).length);
                file.addBatch();
            }
            file.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("could not write project " + id + " of template " + template.name() + ": "
                    + e.getMessage(), e);
        }
        return id;
    }
}
