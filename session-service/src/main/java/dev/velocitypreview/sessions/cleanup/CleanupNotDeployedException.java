package dev.velocitypreview.sessions.cleanup;

/** A cleanup topic does not exist: the cleanup service, which creates them at start-up, is not deployed. */
public final class CleanupNotDeployedException extends CleanupUnavailableException {

    private final String topic;

    CleanupNotDeployedException(String topic, Throwable cause) {
        super("topic " + topic + " does not exist: the cleanup service, which creates it at start-up, is not deployed",
                cause);
        this.topic = topic;
    }

    /** The topic that is missing. */
    public String topic() {
        return topic;
    }
}
