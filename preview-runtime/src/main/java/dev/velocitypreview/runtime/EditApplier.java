package dev.velocitypreview.runtime;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.velocitypreview.core.edits.CompileError;
import dev.velocitypreview.core.edits.EditOutcome;
import dev.velocitypreview.core.edits.EditResult;
import dev.velocitypreview.core.edits.FileVersion;
import dev.velocitypreview.core.edits.SyncResponse;

/**
 * Writes the platform's files through the {@link EditWriter} and asks the dev server whether the project still compiles
 * ({@link CompileCheck}): what a sync round ({@link SyncLoop}) and a claim ({@link PoolClaim}) both do to the project,
 * so that both give the platform the same {@link EditResult}. Used by one thread at a time: the claim's (which only
 * writes), then the sync loop's once the claim started it (which checks the claim's files first).
 */
final class EditApplier {

    /**
     * @param files  what the writer changed
     * @param result what the platform is told of it
     * @param millis how long writing and checking took (checking alone for a claim's files)
     */
    record Checked(EditWriter.Applied files, EditResult result, long millis) {
    }

    private final EditWriter writer;
    private final CompileCheck compileCheck;
    private final RuntimeLog log;
    private final Clock clock;

    EditApplier(EditWriter writer, CompileCheck compileCheck, RuntimeLog log, Clock clock) {
        this.writer = writer;
        this.compileCheck = compileCheck;
        this.log = log;
        this.clock = clock;
    }

    /**
     * @param lastError the verdict of the files as they are, kept when the answer writes nothing a check could name
     * @throws MaterializationException when the answer breaks a file rule; nothing was written then
     */
    Checked apply(SyncResponse answer, CompileError lastError) throws MaterializationException, InterruptedException {
        long started = System.nanoTime();
        EditWriter.Applied applied = written(writer.apply(answer));
        // an answer that only brings versions (a machine's first sync) still says whether the project compiles;
        // one that only deletes leaves the last verdict, as no module it could name was written
        List<String> checked = !applied.changed().isEmpty() ? applied.changed()
                : applied.written().stream().map(FileVersion::path).toList();
        return checked(applied, checked, lastError, started);
    }

    /**
     * A claim's files, written into a warm machine and not checked yet: the claim is answered as soon as they are on
     * disk, and {@link #checkClaimed} asks the dev server afterwards (on the sync loop's thread, its result the loop's
     * first), so that no claim waits for a compile.
     *
     * @throws MaterializationException when the files break a file rule; nothing was written then
     */
    EditWriter.Applied writeOnWarm(SyncResponse claimed) throws MaterializationException {
        return written(writer.apply(claimed));
    }

    /**
     * The check of a claim's files {@link #writeOnWarm written} before: only the files whose content changed are
     * checked. The others are the template's, which its dev server compiled when it answered its first page, so a
     * claim of a project that is the template checks nothing.
     */
    Checked checkClaimed(EditWriter.Applied claimed) throws InterruptedException {
        return checked(claimed, claimed.changed(), null, System.nanoTime());
    }

    private EditWriter.Applied written(EditWriter.Applied applied) {
        if (applied.lockfileChanged()) {
            log.warn("lockfile changed", "path", EditWriter.LOCKFILE,
                    "detail", "dependencies are not installed again in a running preview; a new session installs them");
        }
        return applied;
    }

    private Checked checked(EditWriter.Applied applied, List<String> checked, CompileError lastError, long started)
            throws InterruptedException {
        CompileError error = checked.isEmpty() ? lastError : compileCheck.check(checked);
        EditResult result = new EditResult(applied.written(), applied.deleted(),
                error == null ? EditOutcome.APPLIED : EditOutcome.COMPILE_ERROR, error, clock.instant());
        return new Checked(applied, result, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
}
