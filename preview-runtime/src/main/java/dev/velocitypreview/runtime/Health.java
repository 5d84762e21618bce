package dev.velocitypreview.runtime;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonFactory;

import dev.velocitypreview.core.edits.CompileError;

/**
 * What {@code GET /health} answers: 200 only when ready; 503 while starting, and 503 with the
 * failing check's detail when the runtime can never become ready. Three checks, in the order the
 * runtime goes through them: {@code files}, {@code install} (the project's npm dependencies) and
 * {@code dev-server}; a static project skips the last two. Thread-safe.
 *
 * <p>{@code session} names the session the machine serves: null until it is known, and for a warm pool's machine until
 * its claim.
 *
 * <p>Live edits add a {@code sync} object beside the checks (its state, the last sync answered, and the compile error
 * of the last applied answer, if any). It is no readiness check: a preview serves whatever its sync does.
 */
final class Health {

    static final String FILES = "files";
    static final String INSTALL = "install";
    static final String DEV_SERVER = "dev-server";

    enum Status {
        STARTING, READY, FAILED
    }

    /** What one step is doing: {@code pending} and {@code running} on the way; {@code ok}, {@code skipped}, {@code failed} once done. */
    enum CheckStatus {
        PENDING, RUNNING, OK, SKIPPED, FAILED;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param detail null when there is nothing to add
     * @param millis how long the step took, or has taken so far; null before it started
     */
    record Check(String name, CheckStatus status, String detail, Long millis) {
    }

    /** What the sync loop is doing. */
    enum SyncStatus {
        /** The machine was given no sync endpoint: no live edits. */
        OFF,
        /** Configured, waiting for the preview to be ready. */
        WAITING,
        /** The last sync was answered. */
        SYNCING,
        /** The last sync failed; the loop tries again after a backoff. */
        RETRYING,
        /** The platform refused the machine for good (bad token, session ended): no more syncs. */
        STOPPED;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param detail       why it retries or stopped; null otherwise
     * @param lastSync     when a sync was last answered, or null
     * @param compileError the compile error of the last applied answer, null when it applied
     */
    record Sync(SyncStatus status, String detail, Instant lastSync, CompileError compileError) {
    }

    /**
     * @param session the session served, or null while there is none
     * @param sync    null before the runtime knows whether it syncs
     */
    record Snapshot(Status status, String session, List<Check> checks, Sync sync) {
        Snapshot {
            checks = List.copyOf(checks);
        }

        int httpStatus() {
            return status == Status.READY ? 200 : 503;
        }

        Check check(String name) {
            return checks.stream().filter(check -> check.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no check " + name));
        }

        byte[] json() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (JsonGenerator json = Json.FACTORY.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringProperty("status", status.name().toLowerCase(Locale.ROOT));
                json.writeStringProperty("session", session);
                json.writeArrayPropertyStart("checks");
                for (Check check : checks) {
                    json.writeStartObject();
                    json.writeStringProperty("name", check.name());
                    json.writeStringProperty("status", check.status().json());
                    if (check.detail() != null) {
                        json.writeStringProperty("detail", check.detail());
                    }
                    if (check.millis() != null) {
                        json.writeNumberProperty("millis", check.millis());
                    }
                    json.writeEndObject();
                }
                json.writeEndArray();
                if (sync != null) {
                    json.writeObjectPropertyStart("sync");
                    json.writeStringProperty("status", sync.status().json());
                    if (sync.detail() != null) {
                        json.writeStringProperty("detail", sync.detail());
                    }
                    if (sync.lastSync() != null) {
                        json.writeStringProperty("lastSync", sync.lastSync().toString());
                    }
                    CompileError error = sync.compileError();
                    if (error != null) {
                        json.writeObjectPropertyStart("compileError");
                        json.writeStringProperty("message", error.message());
                        json.writeStringProperty("file", error.file());
                        if (error.line() != null) {
                            json.writeNumberProperty("line", error.line());
                        }
                        if (error.column() != null) {
                            json.writeNumberProperty("column", error.column());
                        }
                        json.writeEndObject();
                    }
                    json.writeEndObject();
                }
                json.writeEndObject();
            }
            return out.toByteArray();
        }
    }

    /** Loaded on first use, so that Jackson's classes load after the server listens. */
    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    private final Map<String, Check> checks = new LinkedHashMap<>();
    private final Map<String, Long> startedAt = new LinkedHashMap<>();
    private volatile Snapshot snapshot;
    private String session;
    private Sync sync;

    /** @param session the session served, or null while there is none */
    Health(String session) {
        this.session = session;
        checks.put(FILES, new Check(FILES, CheckStatus.RUNNING, "materializing", null));
        checks.put(INSTALL, new Check(INSTALL, CheckStatus.PENDING, null, null));
        checks.put(DEV_SERVER, new Check(DEV_SERVER, CheckStatus.PENDING, null, null));
        startedAt.put(FILES, System.nanoTime());
        snapshot = compute();
    }

    Snapshot snapshot() {
        return snapshot;
    }

    synchronized void session(String id) {
        session = id;
        snapshot = compute();
    }

    synchronized void sync(Sync state) {
        sync = state;
        snapshot = compute();
    }

    /** The step began (its millis count from now). */
    synchronized void running(String name, String detail) {
        startedAt.put(name, System.nanoTime());
        set(name, CheckStatus.RUNNING, detail, null);
    }

    /** The step is done; millis are measured from {@link #running} (or the runtime's start for {@code files}). */
    synchronized void ok(String name, String detail) {
        set(name, CheckStatus.OK, detail, elapsedMillis(name));
    }

    synchronized void skipped(String name, String detail) {
        set(name, CheckStatus.SKIPPED, detail, null);
    }

    /** The runtime can never become ready (again): the status is failed from now on. */
    synchronized void failed(String name, String detail) {
        set(name, CheckStatus.FAILED, detail, elapsedMillis(name));
    }

    private Long elapsedMillis(String name) {
        Long started = startedAt.get(name);
        return started == null ? null : (System.nanoTime() - started) / 1_000_000;
    }

    private void set(String name, CheckStatus status, String detail, Long millis) {
        if (!checks.containsKey(name)) {
            throw new IllegalArgumentException("no check " + name);
        }
        if (checks.get(name).status() == CheckStatus.FAILED) {
            return;
        }
        checks.put(name, new Check(name, status, detail, millis));
        snapshot = compute();
    }

    private Snapshot compute() {
        List<Check> all = new ArrayList<>(checks.values());
        // loops, not streams: the first snapshot is computed before the runtime listens, and streams load classes
        boolean failed = false;
        boolean done = true;
        for (Check check : all) {
            failed |= check.status() == CheckStatus.FAILED;
            done &= check.status() == CheckStatus.OK || check.status() == CheckStatus.SKIPPED;
        }
        return new Snapshot(failed ? Status.FAILED : done ? Status.READY : Status.STARTING, session, all, sync);
    }
}
