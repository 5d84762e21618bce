package dev.velocitypreview.core.http;

/** HTTP header names the platform reads or writes. */
public final class PreviewHeaders {

    /** Makes {@code POST /v1/sessions} idempotent per user. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String FORWARDED_FOR = "X-Forwarded-For";
    public static final String FORWARDED_PROTO = "X-Forwarded-Proto";
    public static final String FORWARDED_HOST = "X-Forwarded-Host";
    public static final String FORWARDED_PREFIX = "X-Forwarded-Prefix";
    /** Set by the router on every response it produced itself (holds, errors), naming the session. */
    public static final String SESSION_ID = "X-Preview-Session";

    private PreviewHeaders() {
    }
}
