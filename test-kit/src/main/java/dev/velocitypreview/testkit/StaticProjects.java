package dev.velocitypreview.testkit;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * Projects that exist, with files, before their first session: one static page that names the project, as the
 * system we replace left many behind. The provisioner serves such a project as it is (it fills only projects
 * without files from a template), so tests of routing, machines and lifecycles serve a page without a template's
 * dev server and its {@code npm ci}: two hundred of those at once do not fit on two cores.
 *
 * <p>Written straight into the tables, as a fixture (the provisioner stays the only writer of the platform itself).
 */
public final class StaticProjects {

    private StaticProjects() {
    }

    /** A new project owned by {@code owner} whose {@code index.html} contains its id. */
    public static UUID create(DataSource database, String owner) {
        UUID id = UUID.randomUUID();
        String page = "<!doctype html><title>static</title><p>Project " + id + " is live on Velocity Preview.</p>\n";
        try (Connection connection = database.getConnection();
             PreparedStatement project = connection.prepareStatement(
                     "INSERT INTO projects (id, name, template_type, owner_id) VALUES (?, ?, 'static', ?)");
             PreparedStatement file = connection.prepareStatement("""
                     INSERT INTO project_files (id, project_id, file_path, content, file_type, size)
                     VALUES (?, ?, 'index.html', ?, 'html', ?)""")) {
            project.setObject(1, id);
            project.setString(2, "static " + id);
            project.setString(3, owner);
            project.executeUpdate();
            file.setObject(1, UUID.randomUUID());
            file.setObject(2, id);
            file.setString(3, page);
            file.setLong(4, page.getBytes(StandardCharsets.UTF_8).length);
            file.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not write static project " + id + ": " + e.getMessage(), e);
        }
        return id;
    }
}
