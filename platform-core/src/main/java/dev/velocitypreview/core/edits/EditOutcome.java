package dev.velocitypreview.core.edits;

/** What a preview's dev server made of the files a sync brought. */
public enum EditOutcome {
    /** The dev server compiled them (or needed nothing compiled): the preview shows them. */
    APPLIED("applied"),
    /** The dev server could not compile the project as it now is; the preview keeps its last good state. */
    COMPILE_ERROR("compile_error");

    private final String wire;

    EditOutcome(String wire) {
        this.wire = wire;
    }

    /** The lower-case form in JSON. */
    public String wire() {
        return wire;
    }

    /** @throws IllegalArgumentException naming the known forms */
    public static EditOutcome ofWire(String wire) {
        for (EditOutcome outcome : values()) {
            if (outcome.wire.equals(wire)) {
                return outcome;
            }
        }
        throw new IllegalArgumentException("outcome must be applied or compile_error, got " + wire);
    }
}
