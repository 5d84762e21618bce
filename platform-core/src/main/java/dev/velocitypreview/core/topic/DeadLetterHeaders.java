package dev.velocitypreview.core.topic;

/** Headers on a dead-lettered record: where it came from and why it was set aside. */
public final class DeadLetterHeaders {

    public static final String ORIGINAL_TOPIC = "vp-dlt-original-topic";
    public static final String ORIGINAL_PARTITION = "vp-dlt-original-partition";
    public static final String ORIGINAL_OFFSET = "vp-dlt-original-offset";
    public static final String EXCEPTION_CLASS = "vp-dlt-exception-class";
    public static final String REASON = "vp-dlt-reason";
    public static final String FAILED_AT = "vp-dlt-failed-at";

    private DeadLetterHeaders() {
    }
}
