package dev.velocitypreview.core.files;

/** A change to a project's files broke a rule; {@link #refusal()} says which, for the caller's answer. */
public final class FileRefusedException extends RuntimeException {

    private final FileRefusal refusal;

    FileRefusedException(FileRefusal refusal) {
        super(refusal.code() + ": " + refusal.detail(), null, false, false);
        this.refusal = refusal;
    }

    public FileRefusal refusal() {
        return refusal;
    }
}
