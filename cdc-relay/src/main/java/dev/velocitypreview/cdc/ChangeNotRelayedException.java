package dev.velocitypreview.cdc;

/** A change could not be relayed; the batch holding it is not marked processed and the engine stops. */
final class ChangeNotRelayedException extends RuntimeException {

    private final String sessionId;

    /** @param sessionId the session whose change failed, or null when the change has no readable id */
    ChangeNotRelayedException(String sessionId, String message, Throwable cause) {
        super(message, cause);
        this.sessionId = sessionId;
    }

    /** The session whose change failed, or null. */
    String sessionId() {
        return sessionId;
    }

    /** The session named by the first such exception in {@code error}'s cause chain, or null. */
    static String sessionIn(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ChangeNotRelayedException e && e.sessionId != null) {
                return e.sessionId;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
