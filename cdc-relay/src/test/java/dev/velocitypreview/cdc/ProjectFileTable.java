package dev.velocitypreview.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

/** Writes {@code projects} and {@code project_files} rows the way the provisioner's file writer does, each write its own transaction. */
final class ProjectFileTable {

    private final DataSource dataSource;

    ProjectFileTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void insertProject(UUID project) {
        update("INSERT INTO projects (id, name, owner_id) VALUES (?, 'p', 'user-1')", project);
    }

    /** A new file at version 1. */
    void insert(UUID project, String path, String content) {
        update("""
                INSERT INTO project_files (id, project_id, file_path, content, size, version)
                VALUES (?, ?, ?, ?, length(?), 1)""", UUID.randomUUID(), project, path, content, content);
    }

    /** The next version of a file. */
    void overwrite(UUID project, String path, String content) {
        update("""
                UPDATE project_files SET content = ?, size = length(?), version = version + 1, updated_at = now()
                WHERE project_id = ? AND file_path = ?""", content, content, project, path);
    }

    void delete(UUID project, String path) {
        update("DELETE FROM project_files WHERE project_id = ? AND file_path = ?", project, path);
    }

    private void update(String sql, Object... values) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
        }
    }
}
