package dev.velocitypreview.sessions.files;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * {@link ProjectFileStore} over the files datasource; SELECTs only. The pool is its own, not a bean: the service has
 * no database of its own, and a DataSource bean would bring Boot's database health and transaction wiring along.
 */
final class JdbcProjectFileStore implements ProjectFileStore, AutoCloseable {

    private final HikariDataSource pool;
    private final NamedParameterJdbcTemplate jdbc;

    JdbcProjectFileStore(FilesProperties.Datasource settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("session-service-files");
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.username());
        config.setPassword(settings.password() == null ? null : settings.password().value());
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setReadOnly(true);
        // the first read connects: the API starts (and serves sessions) while the database is away
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(5_000);
        this.pool = new HikariDataSource(config);
        this.jdbc = new NamedParameterJdbcTemplate(pool);
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public boolean owns(UUID projectId, String userId) {
        return !jdbc.queryForList("SELECT 1 FROM projects WHERE id = :id AND owner_id = :owner",
                new MapSqlParameterSource("id", projectId).addValue("owner", userId), Integer.class).isEmpty();
    }

    @Override
    public Optional<StoredFile> file(UUID projectId, String path) {
        return jdbc.query("""
                SELECT file_path, content, version, size, updated_at FROM project_files
                 WHERE project_id = :id AND file_path = :path AND NOT is_directory""",
                new MapSqlParameterSource("id", projectId).addValue("path", path),
                (rs, n) -> stored(rs)).stream().findFirst();
    }

    @Override
    public List<StoredFile> files(UUID projectId, Collection<String> paths) {
        if (paths.isEmpty()) {
            return List.of();
        }
        // one array parameter rather than an IN list: a whole project's paths stay one statement
        return jdbc.query("""
                SELECT file_path, content, version, size, updated_at FROM project_files
                 WHERE project_id = :id AND file_path = ANY (:paths) AND NOT is_directory""",
                new MapSqlParameterSource("id", projectId).addValue("paths", paths.toArray(String[]::new)),
                (rs, n) -> stored(rs));
    }

    private static StoredFile stored(ResultSet rs) throws SQLException {
        // an empty file may be stored as NULL content
        return new StoredFile(rs.getString("file_path"), rs.getString("content") == null ? "" : rs.getString("content"),
                rs.getLong("version"), rs.getLong("size"), instant(rs));
    }

    @Override
    public List<FileEntry> list(UUID projectId) {
        return jdbc.query("""
                SELECT file_path, version, size, updated_at FROM project_files
                 WHERE project_id = :id AND NOT is_directory ORDER BY file_path COLLATE "C\"""",
                new MapSqlParameterSource("id", projectId),
                (rs, n) -> new FileEntry(rs.getString("file_path"), rs.getLong("version"), rs.getLong("size"),
                        instant(rs)));
    }

    private static Instant instant(ResultSet rs) throws SQLException {
        Timestamp at = rs.getTimestamp("updated_at");
        return at.toInstant();
    }
}
