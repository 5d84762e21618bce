package dev.velocitypreview.provisioner.files;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import dev.velocitypreview.testkit.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/** On the provisioner's real tables: outcomes past the retention go, in batches; younger ones stay. */
class FileCommandRetentionIT {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(8);

    private static NamedParameterJdbcTemplate jdbc;

    @BeforeAll
    static void migrate() {
        DataSource dataSource = TestPostgres.shared().createDatabase().dataSource();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    @Test
    void outcomesPastTheRetentionAreDeletedAndYoungerOnesKept() {
        List<UUID> old = IntStream.range(0, FileCommandRetention.BATCH + 5).mapToObj(i -> outcome(RETENTION.plusHours(1)))
                .toList();
        UUID young = outcome(RETENTION.minusHours(1));
        FileCommandRetention retention = new FileCommandRetention(jdbc, RETENTION, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(retention.prune()).as("more than one batch").isEqualTo(old.size());
        assertThat(jdbc.queryForList("SELECT command_id FROM project_file_commands", Map.of(), UUID.class))
                .containsExactly(young);
        assertThat(retention.prune()).as("nothing left to delete").isZero();
    }

    private static UUID outcome(Duration age) {
        UUID id = UUID.randomUUID();
        jdbc.update("""
                INSERT INTO project_file_commands (command_id, project_id, outcome, applied_at)
                VALUES (:id, :project, '{}', :at)""",
                Map.of("id", id, "project", UUID.randomUUID(), "at", Timestamp.from(NOW.minus(age))));
        return id;
    }
}
