package dev.velocitypreview.provisioner.pool;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStatus;

/**
 * {@code machine_pool}, written only here (and only by the provisioner): one row per place in a pool. See the
 * migration for what each state means.
 */
public final class MachinePool {

    /** The states of a place. */
    enum State {
        WARMING, READY, CLAIMED;

        String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A place as recorded.
     *
     * @param machineId null while its machine is being created
     * @param sessionId the session that claimed it, or null
     */
    public record Place(UUID slot, String pool, String template, MachineSize machine, String claimToken, State state,
                        @Nullable String machineId, @Nullable String region, @Nullable UUID sessionId,
                        Instant createdAt) {
        @Override
        public String toString() {
            // the claim token is a secret
            return "Place[slot=" + slot + ", pool=" + pool + ", state=" + state + ", machine=" + machineId
                    + ", session=" + sessionId + "]";
        }
    }

    private static final String COLUMNS = "slot, pool, template, machine, claim_token, state, machine_id, region, "
            + "session_id, created_at";
    private static final RowMapper<Place> PLACE = MachinePool::map;

    /** Taken by the one provisioner that tops the pools up at a time; any 64-bit number no other lock uses. */
    private static final long REFILL_LOCK = 0x7665_6c6f_706f_6f6cL;

    private final NamedParameterJdbcTemplate jdbc;

    MachinePool(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insertWarming(UUID slot, PoolPlan plan, String claimToken, Instant at) {
        jdbc.update("""
                INSERT INTO machine_pool (slot, pool, template, machine, claim_token, state, created_at)
                VALUES (:slot, :pool, :template, :machine, :token, 'warming', :at)""",
                new MapSqlParameterSource("slot", slot).addValue("pool", plan.key())
                        .addValue("template", plan.template().name()).addValue("machine", plan.size().wireName())
                        .addValue("token", claimToken).addValue("at", timestamp(at)));
    }

    void recordMachine(UUID slot, String machineId, @Nullable String region) {
        jdbc.update("UPDATE machine_pool SET machine_id = :machine, region = :region WHERE slot = :slot",
                new MapSqlParameterSource("slot", slot).addValue("machine", machineId).addValue("region", region));
    }

    /** @return false when the place is no longer warming (forgotten meanwhile) */
    boolean markReady(UUID slot, Instant at) {
        return jdbc.update("""
                UPDATE machine_pool SET state = 'ready', ready_at = :at
                 WHERE slot = :slot AND state = 'warming' AND machine_id IS NOT NULL""",
                new MapSqlParameterSource("slot", slot).addValue("at", timestamp(at))) == 1;
    }

    /**
     * Takes the pool's oldest ready place for the session, skipping places another claim holds locked, so that
     * concurrent claims never wait for each other nor take the same place. Run it in the transaction that records the
     * machine on the session's row.
     */
    public Optional<Place> claim(PoolPlan plan, UUID sessionId, Instant at) {
        return jdbc.query("""
                UPDATE machine_pool SET state = 'claimed', session_id = :session, claimed_at = :at
                 WHERE slot = (SELECT slot FROM machine_pool
                                WHERE pool = :pool AND machine = :machine AND state = 'ready'
                                ORDER BY ready_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING\s""" + COLUMNS,
                new MapSqlParameterSource("session", sessionId).addValue("at", timestamp(at))
                        .addValue("pool", plan.key()).addValue("machine", plan.size().wireName()), PLACE)
                .stream().findFirst();
    }

    /** The place a session claimed, if it claimed one and is not ACTIVE on it yet. */
    public Optional<Place> claimedBy(UUID sessionId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM machine_pool WHERE session_id = :session",
                new MapSqlParameterSource("session", sessionId), PLACE).stream().findFirst();
    }

    /** Forgets a place: its machine is a session's now, or gone. */
    public void forget(UUID slot) {
        jdbc.update("DELETE FROM machine_pool WHERE slot = :slot", new MapSqlParameterSource("slot", slot));
    }

    /** Forgets a place only while it is not claimed: false when a claim took it meanwhile. */
    boolean forgetUnclaimed(UUID slot) {
        return jdbc.update("DELETE FROM machine_pool WHERE slot = :slot AND state <> 'claimed'",
                new MapSqlParameterSource("slot", slot)) == 1;
    }

    List<Place> all() {
        return jdbc.query("SELECT " + COLUMNS + " FROM machine_pool ORDER BY created_at", new MapSqlParameterSource(), PLACE);
    }

    /** The places that count towards a pool's size: warming or ready. */
    int unclaimed(PoolPlan plan) {
        Integer count = jdbc.queryForObject("""
                SELECT count(*) FROM machine_pool WHERE pool = :pool AND machine = :machine AND state <> 'claimed'""",
                new MapSqlParameterSource("pool", plan.key()).addValue("machine", plan.size().wireName()), Integer.class);
        return count == null ? 0 : count;
    }

    /**
     * Takes the refill lock for the rest of the current transaction, without waiting: false when another provisioner
     * is topping the pools up right now.
     */
    boolean tryRefillLock() {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(:lock)",
                new MapSqlParameterSource("lock", REFILL_LOCK), Boolean.class));
    }

    /** True when the session is gone or has ended: its claimed place has nothing left to record. */
    boolean sessionEnded(UUID sessionId) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT status FROM preview_sessions WHERE id = :id",
                new MapSqlParameterSource("id", sessionId));
        return rows.isEmpty() || SessionStatus.valueOf((String) rows.get(0).get("status")).isTerminal();
    }

    private static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Place map(ResultSet rs, int n) throws SQLException {
        return new Place(rs.getObject("slot", UUID.class), rs.getString("pool"), rs.getString("template"),
                MachineSize.fromWire(rs.getString("machine")), rs.getString("claim_token"),
                State.valueOf(rs.getString("state").toUpperCase(java.util.Locale.ROOT)), rs.getString("machine_id"),
                rs.getString("region"), rs.getObject("session_id", UUID.class),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }
}
