package dev.velocitypreview.core.edits;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A machine's account of one sync answer it applied: the files it wrote and removed, and what its dev server made of
 * the project afterwards. A machine sends it with its next sync.
 *
 * @param error the compile error when {@code outcome} is {@link EditOutcome#COMPILE_ERROR}, else null
 */
public record EditResult(List<FileVersion> written, List<String> deleted, EditOutcome outcome, CompileError error,
                         Instant at) {
    public EditResult {
        written = List.copyOf(written);
        deleted = List.copyOf(deleted);
        Objects.requireNonNull(outcome, "outcome == null");
        Objects.requireNonNull(at, "at == null");
        if ((outcome == EditOutcome.COMPILE_ERROR) != (error != null)) {
            throw new IllegalArgumentException("a compile error, and only a compile error, carries an error");
        }
    }
}
