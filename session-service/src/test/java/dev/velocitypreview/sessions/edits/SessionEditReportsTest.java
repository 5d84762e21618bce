package dev.velocitypreview.sessions.edits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.edits.CompileError;
import dev.velocitypreview.core.edits.EditOutcome;
import dev.velocitypreview.core.edits.EditResult;
import dev.velocitypreview.core.edits.FileVersion;
import dev.velocitypreview.core.edits.SessionEditReport;

class SessionEditReportsTest {

    private static final UUID PROJECT = UUID.randomUUID();
    private final SessionEditReports reports = new SessionEditReports(2);

    @Test
    void aWatchCompletesOnlyOnceEveryPathIsReportedAtItsVersionOrLater() {
        UUID session = UUID.randomUUID();
        SessionEditReports.Watch watch = reports.watch(session);
        // before the provisioner answered: a report of the older version, and of another file
        reports.accept(report(session, EditOutcome.APPLIED, new FileVersion("a.txt", 1)));

        CompletableFuture<SessionEditReport> done = watch.until(Map.of("a.txt", 2L, "b.txt", 1L), List.of("gone.txt"));
        assertThat(done).isNotDone();
        reports.accept(report(session, EditOutcome.APPLIED, new FileVersion("a.txt", 3)));
        assertThat(done).isNotDone();
        SessionEditReport last = new SessionEditReport(session, PROJECT, new EditResult(
                List.of(new FileVersion("b.txt", 1)), List.of("gone.txt"), EditOutcome.COMPILE_ERROR,
                new CompileError("boom", "b.txt", 1L, 2L), Instant.EPOCH));
        reports.accept(last);

        assertThat(done).isCompletedWithValue(last);
        watch.close();
    }

    @Test
    void aReportOfAnotherSessionOrBeforeTheWatchDoesNotCount() {
        UUID session = UUID.randomUUID();
        reports.accept(report(session, EditOutcome.APPLIED, new FileVersion("a.txt", 5)));
        SessionEditReports.Watch watch = reports.watch(session);
        reports.accept(report(UUID.randomUUID(), EditOutcome.APPLIED, new FileVersion("a.txt", 5)));

        assertThat(watch.until(Map.of("a.txt", 5L), List.of())).isNotDone();
    }

    @Test
    void keepsTheNewestReportOfEachSessionWithinItsBound() {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        UUID third = UUID.randomUUID();
        reports.accept(report(first, EditOutcome.APPLIED));
        reports.accept(report(second, EditOutcome.APPLIED));
        reports.accept(report(first, EditOutcome.COMPILE_ERROR));
        reports.accept(report(third, EditOutcome.APPLIED));

        // second reported longest ago
        assertThat(reports.latest(second)).isEmpty();
        assertThat(reports.latest(first)).hasValueSatisfying(r -> assertThat(r.result().outcome())
                .isEqualTo(EditOutcome.COMPILE_ERROR));
        reports.forget(third);
        assertThat(reports.latest(third)).isEmpty();
        assertThat(reports.size()).isEqualTo(1);
    }

    private static SessionEditReport report(UUID session, EditOutcome outcome, FileVersion... written) {
        return new SessionEditReport(session, PROJECT, new EditResult(List.of(written), List.of(), outcome,
                outcome == EditOutcome.COMPILE_ERROR ? new CompileError("x", null, null, null) : null, Instant.EPOCH));
    }
}
