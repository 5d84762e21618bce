package dev.velocitypreview.provisioner.provisioning;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStateMachine;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.Tier;

/**
 * {@code preview_sessions}, written only here. Every write moves the row along the lifecycle
 * (or keeps its status) and increments its version, guarded by the version it was read at.
 */
final class SessionRows {

    private static final String COLUMNS = "id, user_id, project_id, tier, resource_limits ->> 'machine' AS machine, "
            + "status, status_reason, error, machine_id, machine_url, region, version, ready_at, expires_at, terminated_at";

    private static final RowMapper<SessionRow> ROW = SessionRows::map;

    private final NamedParameterJdbcTemplate jdbc;

    SessionRows(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Optional<SessionRow> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM preview_sessions WHERE id = :id",
                new MapSqlParameterSource("id", id), ROW).stream().findFirst();
    }

    List<SessionRow> withStatus(SessionStatus... statuses) {
        List<String> names = Arrays.stream(statuses).map(Enum::name).toList();
        return jdbc.query("SELECT " + COLUMNS + " FROM preview_sessions WHERE status IN (:statuses) ORDER BY requested_at",
                new MapSqlParameterSource("statuses", names), ROW);
    }

    /**
     * Writes the first version of a requested session, PROVISIONING; a row that exists already is left alone.
     * What the tier granted goes to {@code resource_limits}: the machine size for the driver; the idle
     * timeout also to {@code idle_timeout_ms}, which the changelog carries to cleanup.
     *
     * @return the row as written, read back by the insert itself (a fresh session's CREATE pays no second
     *         query for it); empty when the row existed already
     */
    Optional<SessionRow> insertProvisioning(SessionCommand.Create create, Instant expiresAt) {
        return jdbc.query("""
                INSERT INTO preview_sessions (id, user_id, project_id, status, tier, visibility, version, requested_at,
                                              expires_at, idle_timeout_ms, resource_limits)
                VALUES (:id, :userId, :projectId, :status, :tier, :visibility, 1, :requestedAt, :expiresAt, :idleMillis,
                        jsonb_strip_nulls(jsonb_build_object('machine', CAST(:machine AS text),
                                                             'idle_timeout_seconds', CAST(:idleSeconds AS bigint))))
                ON CONFLICT (id) DO NOTHING
                RETURNING\s""" + COLUMNS,
                new MapSqlParameterSource()
                        .addValue("id", create.sessionId())
                        .addValue("userId", create.userId())
                        .addValue("projectId", create.projectId())
                        .addValue("status", SessionStatus.PROVISIONING.name())
                        .addValue("tier", create.tier().wireName())
                        .addValue("visibility", create.visibility().wireName())
                        .addValue("requestedAt", timestamp(create.issuedAt()))
                        .addValue("expiresAt", timestamp(expiresAt))
                        .addValue("machine", create.machine().wireName())
                        .addValue("idleSeconds", create.idleTimeout().toSeconds())
                        .addValue("idleMillis", create.idleTimeout().toMillis()), ROW).stream().findFirst();
    }

    /** Errors are shown to users and travel in every changelog record of the row: keep them readable. */
    static final int MAX_ERROR_LENGTH = 2_000;

    private static String bounded(String error) {
        return error == null || error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH - 1) + "…";
    }

    /**
     * Writes {@code next} over {@code current}: its status must be {@code current}'s or a legal move from it.
     *
     * @return the row as written, with its new version
     * @throws StaleRowException when the row is no longer at {@code current}'s version
     */
    SessionRow write(SessionRow current, SessionRow next) {
        if (next.status() != current.status()) {
            SessionStateMachine.move(current.status(), next.status());
        }
        int updated = jdbc.update("""
                UPDATE preview_sessions
                   SET status = :status, status_reason = :statusReason, error = :error, machine_id = :machineId,
                       machine_url = :machineUrl, region = :region, ready_at = :readyAt, expires_at = :expiresAt,
                       terminated_at = :terminatedAt,
                       updated_at = now(), version = version + 1
                 WHERE id = :id AND version = :version""",
                new MapSqlParameterSource()
                        .addValue("id", current.id())
                        .addValue("version", current.version())
                        .addValue("status", next.status().name())
                        .addValue("statusReason", next.statusReason())
                        .addValue("error", bounded(next.error()))
                        .addValue("machineId", next.machineId())
                        .addValue("machineUrl", next.machineUrl())
                        .addValue("region", next.region())
                        .addValue("readyAt", timestamp(next.readyAt()))
                        .addValue("expiresAt", timestamp(next.expiresAt()))
                        .addValue("terminatedAt", timestamp(next.terminatedAt())));
        if (updated != 1) {
            throw new StaleRowException(current.id(), current.version());
        }
        return new SessionRow(next.id(), next.userId(), next.projectId(), next.tier(), next.machine(), next.status(),
                next.statusReason(), bounded(next.error()), next.machineId(), next.machineUrl(), next.region(),
                current.version() + 1, next.readyAt(), next.expiresAt(), next.terminatedAt());
    }

    /**
     * Deletes the row of an ended session, at the version it was read at (so at the ended status it was read
     * with); its delete reaches the changelog as a tombstone.
     *
     * @throws StaleRowException when the row is no longer at {@code current}'s version
     */
    void deleteEnded(SessionRow current) {
        if (!current.status().isTerminal()) {
            throw new IllegalStateException("session " + current.id() + " is " + current.status() + ", not ended: not deleted");
        }
        int deleted = jdbc.update("""
                DELETE FROM preview_sessions
                 WHERE id = :id AND version = :version""",
                new MapSqlParameterSource().addValue("id", current.id()).addValue("version", current.version()));
        if (deleted != 1) {
            throw new StaleRowException(current.id(), current.version());
        }
    }

    /** timestamptz columns take an offset date-time; an Instant is not understood by the driver. */
    static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static SessionRow map(ResultSet rs, int rowNum) throws SQLException {
        return new SessionRow(
                rs.getObject("id", UUID.class),
                rs.getString("user_id"),
                rs.getObject("project_id", UUID.class),
                Tier.fromWire(rs.getString("tier")),
                rs.getString("machine") == null ? null : MachineSize.fromWire(rs.getString("machine")),
                SessionStatus.valueOf(rs.getString("status")),
                rs.getString("status_reason"),
                rs.getString("error"),
                rs.getString("machine_id"),
                rs.getString("machine_url"),
                rs.getString("region"),
                rs.getLong("version"),
                instant(rs, "ready_at"),
                instant(rs, "expires_at"),
                instant(rs, "terminated_at"));
    }
}
