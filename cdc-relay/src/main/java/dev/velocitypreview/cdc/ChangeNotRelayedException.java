package dev.velocitypreview.cdc;

/** A change could not be relayed; the batch holding it is not marked processed and the engine stops. */
final class ChangeNotRelayedException extends RuntimeException {

    private final TableRoute.Subject subject;

    /** @param subject what the failed change is about, or null when the change has no readable id */
    ChangeNotRelayedException(TableRoute.Subject subject, String message, Throwable cause) {
        super(message, cause);
        this.subject = subject;
    }

    /** What the failed change is about, or null. */
    TableRoute.Subject subject() {
        return subject;
    }

    /** The subject named by the first such exception in {@code error}'s cause chain, or null. */
    static TableRoute.Subject subjectIn(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ChangeNotRelayedException e && e.subject != null) {
                return e.subject;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
