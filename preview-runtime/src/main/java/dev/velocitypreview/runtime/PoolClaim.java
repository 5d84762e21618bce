package dev.velocitypreview.runtime;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonFactory;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.EditOutcome;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.runtime.PreviewFront.Answer;
import dev.velocitypreview.runtime.PreviewFront.Receive;
import dev.velocitypreview.runtime.PreviewFront.Route;

/**
 * The claim of a warm pool's machine, {@code POST /__velocity/claim} with {@code Authorization: Bearer <pool token>} and
 * {@link EditCodec#encodeClaim a claim} as its body: once the runtime is warm, the claim's files are written as a live
 * edit's are ({@link EditApplier}), the runtime serves the claim's session ({@link Claimed}), and the claim is answered.
 * The dev server's compile check of the written files comes after the answer, so that a claim waits for no compile:
 * the sync loop runs it first and reports its result (a compile error included) with its first sync, as it reports a
 * live edit's. A machine is claimed once: the same session's claim again gets the first answer, nothing written
 * again; another session's is refused (409). Answers are JSON: 200 {@code {"sessionId","written","deleted","outcome"}}
 * ({@code outcome} is {@code applied}: the files are in place and served, their check still to come); 401 for a
 * missing or wrong token; 400 for a malformed body; 503 ({@code Retry-After: 1}) while the runtime is not warm or
 * another claim is being applied; 422 when the claim's files are refused (a file rule, or a change to the dependencies,
 * which a running preview does not install again) or the runtime failed, which then stays unclaimed and failed.
 *
 * <p>Called on the front's connection threads; claims are applied one at a time.
 */
final class PoolClaim {

    static final String PATH = "/__velocity/claim";
    /** What a running dev server was prepared for: a claim that changes them is refused, not installed. */
    static final Set<String> DEPENDENCY_FILES = Set.of("package.json", EditWriter.LOCKFILE);

    /**
     * What the runtime takes on from a claim once its files are in place.
     *
     * @param replayState the state every replayed request must carry from now on, or null for none
     * @param sync        the session's sync endpoint, or null when live edits are off
     * @param written     the claim's files as written, not checked yet: their check's result is what the first sync
     *                    reports
     */
    record Claimed(String session, ReplayState replayState, RuntimeOptions.SyncOptions sync, EditWriter.Applied written) {
    }

    /** The claim taken, and the answer it got, which a repeat of it gets too. */
    private record Taken(UUID session, Answer answer) {
    }

    /** The files a claim is applied to, and how: set once the runtime is warm. */
    private record Warm(EditApplier applier, HeldFiles held) {
    }

    /** Longest a claim that came as health turned ready waits for {@link #warm} to finish. */
    private static final Duration WARM_UP_WAIT = Duration.ofSeconds(2);
    /** Room for a claim that brings every file at the limits, with JSON's escapes. */
    private static final long BODY_SLACK_BYTES = 1 << 20;

    private final PoolToken token;
    private final long maxBodyBytes;
    private final Health health;
    private final RuntimeLog log;
    private final Consumer<Claimed> serve;
    private final ReentrantLock applying = new ReentrantLock();
    private volatile Warm warm;
    private final CountDownLatch warmedUp = new CountDownLatch(1);
    private volatile Taken taken;

    /**
     * @param serve switches the runtime to the claimed session and starts the check of its files; called once, before
     *              the claim is answered, and must not wait for that check
     */
    PoolClaim(PoolToken token, FileLimits limits, Health health, RuntimeLog log, Consumer<Claimed> serve) {
        this.token = token;
        this.maxBodyBytes = Math.min(Integer.MAX_VALUE - 16L, 2 * limits.maxTotalBytes() + BODY_SLACK_BYTES);
        this.health = health;
        this.log = log;
        this.serve = serve;
    }

    /**
     * The runtime is warm: its files are in place and its dev server (if any) answered its first page. The claim's
     * decoder and the answer's encoder are used once now, on a claim with what a session's brings (a file in full, one
     * by its version, a deletion, a sync endpoint), so that the claim does not wait for their code to load: decoding
     * the first claim with files took 47 ms on a busy machine in a JVM that had decoded only an empty one, and 0.5 ms
     * after one with files.
     */
    void warm(EditApplier applier, HeldFiles held) {
        UUID none = new UUID(0, 0);
        String page = "<p>warm</p>";
        String sha256 = HeldFiles.sha256(HeldFiles.utf8(page));
        EditCodec.decodeClaim(EditCodec.encodeClaim(new MachineClaim(none, none, new SyncResponse(
                List.of(new SyncedFile("warm.html", 1, sha256, page), new SyncedFile("warm-too.html", 1, sha256, null)),
                List.of("warm-gone.html")), URI.create("http://127.0.0.1/sync"), "warm-up", null)));
        applied(none.toString(), new EditWriter.Applied(List.of(), List.of(), List.of()));
        warm = new Warm(applier, held);
        warmedUp.countDown();
    }

    /**
     * The files to apply a claim to, once {@link #warm} is done. Health turns ready just before {@link #warm} runs, on
     * the thread that made it ready; a claim that comes in between waits for it rather than being told to come back in
     * a second (Retry-After), which a warm start would pay in full.
     */
    private Warm awaitWarm() {
        Warm files = warm;
        if (files != null) {
            return files;
        }
        try {
            warmedUp.await(WARM_UP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return warm;
    }

    /** True once a claim was applied: from then on the machine is its session's. */
    boolean claimed() {
        return taken != null;
    }

    /** What a runtime that is no warm pool's machine answers on {@link #PATH}. */
    static Answer notPooled() {
        return json(404, "not_pooled", "this machine is not in a warm pool: it takes no claim");
    }

    /** The answer to a request for {@link #PATH}, decided from its head, or the body to read first. */
    Route route(HttpHead request) {
        if (!request.method().equals("POST")) {
            return withHeaders(json(405, "method_not_allowed", "a claim is a POST"), Map.of("Allow", "POST"));
        }
        if (!token.acceptsAuthorization(request.values("Authorization"))) {
            log.warn("claim refused", "reason", "no bearer token, or not this machine's");
            return withHeaders(json(401, "unauthorized", "a claim needs this machine's pool token as its bearer token"),
                    Map.of("WWW-Authenticate", "Bearer"));
        }
        return new Receive(maxBodyBytes, json(400, "malformed", "the claim is longer than " + maxBodyBytes
                + " bytes, more than the runtime's file limits allow"), this::claim);
    }

    private Answer claim(byte[] body) {
        long received = System.nanoTime();
        MachineClaim claim;
        ReplayState replayState;
        RuntimeOptions.SyncOptions sync = null;
        try {
            claim = EditCodec.decodeClaim(body);
            replayState = claim.replayState() == null ? null : new ReplayState(claim.replayState());
            if (claim.syncUrl() != null) {
                if (!RuntimeOptions.SyncOptions.isEndpoint(claim.syncUrl())) {
                    return json(400, "malformed", "machine claim: syncUrl must be an http or https URL with a host");
                }
                sync = new RuntimeOptions.SyncOptions(claim.syncUrl(), claim.syncToken());
            }
        } catch (MalformedRecordException e) {
            log.warn("claim refused", "reason", e.getMessage());
            return json(400, "malformed", e.getMessage());
        } catch (IllegalArgumentException e) {
            // the replay state's own message names its shape and never the value
            return json(400, "malformed", "machine claim: " + e.getMessage());
        }
        String session = claim.sessionId().toString();
        if (!applying.tryLock()) {
            return withHeaders(json(503, "busy", "another claim is being applied"), Map.of("Retry-After", "1"));
        }
        try {
            Taken done = taken;
            if (done != null) {
                if (done.session().equals(claim.sessionId())) {
                    return done.answer();
                }
                log.warn("claim refused", "reason", "claimed by another session already", "refused_session", session);
                return json(409, "claimed", "this machine was claimed by another session");
            }
            Health.Snapshot now = health.snapshot();
            if (now.status() == Health.Status.FAILED) {
                return json(422, "failed", "the machine failed and serves no session: " + failure(now));
            }
            Warm files = now.status() == Health.Status.READY ? awaitWarm() : null;
            if (files == null) {
                return withHeaders(json(503, "not_warm", "the machine is not warm yet: "
                        + now.status().name().toLowerCase(java.util.Locale.ROOT)), Map.of("Retry-After", "1"));
            }
            String dependencies = dependencyChange(claim.files(), files.held());
            if (dependencies != null) {
                return refuse(session, "refused " + ProjectPath.quote(dependencies) + ": the claim changes the"
                        + " dependencies this machine was prepared with, and a running preview does not install them again");
            }
            long started = System.nanoTime();
            EditWriter.Applied written;
            try {
                written = files.applier().writeOnWarm(claim.files());
            } catch (MaterializationException e) {
                return refuse(session, e.getMessage());
            }
            long wrote = System.nanoTime();
            serve.accept(new Claimed(session, replayState, sync, written));
            Answer answer = applied(session, written);
            taken = new Taken(claim.sessionId(), answer);
            log.info("claim applied", "project", claim.projectId(), "written", written.changed().size(),
                    "versions", written.written().size(), "deleted", written.deleted().size(), "check", "pending",
                    "readMicros", TimeUnit.NANOSECONDS.toMicros(started - received),
                    "writeMicros", TimeUnit.NANOSECONDS.toMicros(wrote - started),
                    "serveMicros", TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - wrote));
            return answer;
        } finally {
            applying.unlock();
        }
    }

    /** The refused claim leaves the machine failed: nothing was written, and the pool keeper replaces it. */
    private Answer refuse(String session, String detail) {
        health.failed(Health.FILES, "claim of session " + session + " refused: " + detail);
        log.error("claim refused", "session", session, "detail", detail);
        return json(422, "refused", detail);
    }

    /** The first dependency file the claim writes with other content than the machine's, or deletes; null for none. */
    private static String dependencyChange(SyncResponse files, HeldFiles held) {
        for (SyncedFile file : files.files()) {
            if (DEPENDENCY_FILES.contains(file.path()) && file.content() != null) {
                HeldFiles.Held before = held.get(file.path());
                if (before == null || !before.sha256().equals(file.sha256())) {
                    return file.path();
                }
            }
        }
        for (String path : files.deleted()) {
            if (DEPENDENCY_FILES.contains(path)) {
                return path;
            }
        }
        return null;
    }

    private static String failure(Health.Snapshot now) {
        return now.checks().stream().filter(check -> check.status() == Health.CheckStatus.FAILED)
                .map(check -> check.name() + ": " + check.detail()).findFirst().orElse("a check failed");
    }

    /** The files are in place and served; whether they compile is the first sync's to tell. */
    private static Answer applied(String session, EditWriter.Applied written) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("sessionId", session);
        fields.put("written", written.changed().size());
        fields.put("deleted", written.deleted().size());
        fields.put("outcome", EditOutcome.APPLIED.wire());
        return new Answer(200, "application/json", write(fields), Map.of());
    }

    private static Answer json(int status, String error, String detail) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("error", error);
        fields.put("detail", detail);
        return new Answer(status, "application/json", write(fields), Map.of());
    }

    private static Answer withHeaders(Answer answer, Map<String, String> headers) {
        return new Answer(answer.status(), answer.contentType(), answer.body(), headers);
    }

    private static byte[] write(Map<String, Object> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = Json.FACTORY.createGenerator(out)) {
            json.writeStartObject();
            for (Map.Entry<String, Object> field : fields.entrySet()) {
                if (field.getValue() instanceof Integer number) {
                    json.writeNumberProperty(field.getKey(), number);
                } else {
                    json.writeStringProperty(field.getKey(), (String) field.getValue());
                }
            }
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    /** Loaded on first use, so that Jackson's classes load after the server listens. */
    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }
}
