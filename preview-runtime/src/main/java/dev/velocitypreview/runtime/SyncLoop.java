package dev.velocitypreview.runtime;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.velocitypreview.core.edits.CompileError;
import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.EditResult;
import dev.velocitypreview.core.edits.SyncRequest;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.retry.Backoff;

/**
 * The machine's one live-edit loop, on its own thread once the preview is ready: it POSTs its {@link HeldFiles} and
 * the result of the answer it applied last to the session API's sync endpoint, which answers what differs from the
 * stored project (holding the request up to its hold time when nothing does). Each answer is applied and checked
 * ({@link EditApplier}) before the next sync, so the syncs of one machine are
 * sequential and each answer builds on the files the one before wrote. A loop started by a warm pool's claim first
 * checks the claim's files (the claim was answered once they were written) and reports that result with its first
 * sync, as it reports an applied answer's.
 *
 * <p>Network errors, 5xx (503 {@code sync_not_configured} among them) and other unexpected statuses are tried again
 * after a {@link Backoff}; so is an answer that is malformed or breaks a file rule, refused whole. 401 (the token is
 * not this session's) and 410 (the session ended) stop the loop for good. The JDK's HTTP client, because the runtime
 * keeps its class path to jackson-core.
 */
final class SyncLoop implements AutoCloseable {

    /** Longer than the session API's hold (25 s by default), so a held request is answered, not cut. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    static final Backoff BACKOFF = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(15));
    private static final int UNAUTHORIZED = 401;
    private static final int GONE = 410;
    private static final int MAX_DETAIL_CHARS = 300;

    private final RuntimeOptions.SyncOptions options;
    private final HeldFiles held;
    private final EditApplier applier;
    private final Health health;
    private final RuntimeLog log;
    private final HttpClient http;
    private final Backoff backoff;
    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;

    /** The claim's files, checked before the first sync; null once checked, or when no claim started the loop. */
    private EditWriter.Applied claimed;
    /** What the check of the claim's files waits for first. */
    private final FirstPageWait firstPage;
    /** Sent with the next sync; cleared once a sync was answered 200 (the platform has relayed it then). */
    private List<EditResult> pending = List.of();
    private Instant lastSync;
    private CompileError lastError;

    /**
     * @param claimed   the files of the claim that started the loop, written and not checked yet: the loop checks them
     *                  first, and their result is what the platform is told with the first sync (so a compile error in a
     *                  claim reaches it as a live edit's does); null when nothing was written before
     * @param firstPage what the check of {@code claimed} waits for first
     */
    SyncLoop(RuntimeOptions.SyncOptions options, HeldFiles held, EditApplier applier, EditWriter.Applied claimed,
             FirstPageWait firstPage, Health health, RuntimeLog log, HttpClient http, Backoff backoff, Clock clock) {
        this.options = options;
        this.held = held;
        this.applier = applier;
        this.claimed = claimed;
        this.firstPage = firstPage;
        this.health = health;
        this.log = log;
        this.http = http;
        this.backoff = backoff;
        this.clock = clock;
        this.thread = new Thread(this::run, "preview-sync");
        thread.setDaemon(true);
    }

    void start() {
        log.info("sync started", "url", options.url());
        thread.start();
    }

    /** Stops the loop (a held request is abandoned) and waits briefly for its thread. */
    @Override
    public void close() {
        stopped.countDown();
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isRunning() {
        return thread.isAlive();
    }

    /** What a round leads to. */
    enum Next {
        SYNC, BACK_OFF, STOP
    }

    private void run() {
        int failuresInARow = 0;
        try {
            if (claimed != null) {
                checkClaimed();
            }
            while (stopped.getCount() > 0) {
                Next next = round();
                if (next == Next.STOP) {
                    return;
                }
                if (next == Next.SYNC) {
                    failuresInARow = 0;
                    continue;
                }
                failuresInARow++;
                Duration delay = backoff.delay(failuresInARow);
                if (stopped.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed: the thread ends
        } catch (RuntimeException e) {
            // a bug must show on /health rather than end live edits silently
            health.sync(new Health.Sync(Health.SyncStatus.STOPPED, "the sync loop failed: " + e, lastSync, lastError));
            log.error("sync failed", "error", e.toString());
        }
    }

    /** The claim's files are checked before the first sync, which then carries their result. */
    private void checkClaimed() throws InterruptedException {
        long waited = System.nanoTime();
        boolean pageFirst = firstPage.await();
        waited = System.nanoTime() - waited;
        EditApplier.Checked checked = applier.checkClaimed(claimed);
        claimed = null;
        EditResult result = checked.result();
        pending = List.of(result);
        lastError = result.error();
        health.sync(new Health.Sync(Health.SyncStatus.WAITING, "claimed: the first sync is on its way", null, lastError));
        log.info("claim checked", "checked", checked.files().changed().size(), "outcome", result.outcome().wire(),
                "file", lastError == null ? "-" : String.valueOf(lastError.file()), "millis", checked.millis(),
                "after", pageFirst ? "first page" : "no page", "waitedMillis", TimeUnit.NANOSECONDS.toMillis(waited));
    }

    /** One sync: send, read the answer, apply and check it. */
    Next round() throws InterruptedException {
        byte[] body = EditCodec.encodeRequest(new SyncRequest(held.states(), pending));
        HttpRequest request = HttpRequest.newBuilder(options.url()).timeout(READ_TIMEOUT)
                .header("Authorization", "Bearer " + options.token())
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return retry("sync failed: " + e);
        }
        int status = response.statusCode();
        if (status == UNAUTHORIZED || status == GONE) {
            String detail = "sync answered " + status + (status == GONE ? " (the session ended)" : " (the token is refused)")
                    + ": live edits stop; " + excerpt(response.body());
            health.sync(new Health.Sync(Health.SyncStatus.STOPPED, detail, lastSync, lastError));
            log.warn("sync stopped", "status", status, "detail", detail);
            return Next.STOP;
        }
        if (status != 200) {
            return retry("sync answered " + status + ": " + excerpt(response.body()));
        }
        pending = List.of();
        lastSync = clock.instant();
        SyncResponse answer;
        try {
            answer = EditCodec.decodeResponse(response.body());
        } catch (MalformedRecordException e) {
            return retry("answer refused, nothing written: " + e.getMessage());
        }
        if (answer.isEmpty()) {
            health.sync(new Health.Sync(Health.SyncStatus.SYNCING, null, lastSync, lastError));
            return Next.SYNC;
        }
        EditApplier.Checked checked;
        try {
            checked = applier.apply(answer, lastError);
        } catch (MaterializationException e) {
            return retry("answer refused, nothing written: " + e.getMessage());
        }
        EditResult result = checked.result();
        pending = List.of(result);
        lastError = result.error();
        health.sync(new Health.Sync(Health.SyncStatus.SYNCING, null, lastSync, lastError));
        log.info("edits applied", "written", checked.files().changed().size(), "versions", result.written().size(),
                "deleted", result.deleted().size(), "outcome", result.outcome().wire(),
                "file", lastError == null ? "-" : String.valueOf(lastError.file()), "millis", checked.millis());
        return Next.SYNC;
    }

    private Next retry(String detail) {
        health.sync(new Health.Sync(Health.SyncStatus.RETRYING, detail, lastSync, lastError));
        log.warn("sync failed", "detail", detail);
        return Next.BACK_OFF;
    }

    private static String excerpt(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() <= MAX_DETAIL_CHARS ? text : text.substring(0, MAX_DETAIL_CHARS) + "...";
    }
}
