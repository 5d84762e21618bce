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
    /**
     * Fly's replay instruction, answered by the router in {@code fly-replay} mode:
     * {@code app=<app>;instance=<machine id>[;state=<secret>]}, fields separated by {@code ;}.
     */
    public static final String FLY_REPLAY = "fly-replay";
    /**
     * Added by Fly's proxy to a replayed request as the machine receives it:
     * {@code instance=...;region=...;t=...[;state=...]}.
     */
    public static final String FLY_REPLAY_SOURCE = "fly-replay-src";
    /** The field of {@link #FLY_REPLAY} that Fly hands on in {@link #FLY_REPLAY_SOURCE}: the router's shared secret. */
    public static final String FLY_REPLAY_STATE = "state";

    private PreviewHeaders() {
    }
}
