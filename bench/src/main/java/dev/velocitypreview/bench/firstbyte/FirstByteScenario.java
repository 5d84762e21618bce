package dev.velocitypreview.bench.firstbyte;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.velocitypreview.bench.baseline.DatabasePollingRouter;
import dev.velocitypreview.bench.rig.PlatformRig;
import dev.velocitypreview.bench.rig.RowTimes;
import dev.velocitypreview.bench.rig.SessionApi;
import dev.velocitypreview.core.session.SessionView;

/**
 * Scenarios 1 and 5: a client posts a session and requests its preview at once, and, on the very same sessions
 * and at the same moment, the old way's router is asked for the same preview. Each client does its sessions one
 * after the other (post, first answer, delete); {@code concurrency} clients run side by side.
 */
public final class FirstByteScenario {

    private static final Duration VIEW_WAIT = Duration.ofSeconds(60);
    private static final Duration OLD_WAY_TIMEOUT = Duration.ofSeconds(60);

    private final PlatformRig rig;
    private final DatabasePollingRouter oldWay;

    public FirstByteScenario(PlatformRig rig, DatabasePollingRouter oldWay) {
        this.rig = rig;
        this.oldWay = oldWay;
    }

    /**
     * @param concurrencies clients side by side, one level each
     * @param minimumSessions sessions per level at least; a level runs {@code max(concurrency, minimum)} rounded up
     *                        to whole rounds of its clients
     */
    public FirstByteResult run(List<Integer> concurrencies, int minimumSessions) throws InterruptedException {
        List<FirstByteResult.Level> levels = new ArrayList<>();
        for (int concurrency : concurrencies) {
            int rounds = Math.max(1, (minimumSessions + concurrency - 1) / concurrency);
            System.out.printf("bench: session to first byte, concurrency %d, %d sessions%n", concurrency,
                    concurrency * rounds);
            levels.add(level(concurrency, rounds));
        }
        return new FirstByteResult(levels, oldWay.lookups());
    }

    private FirstByteResult.Level level(int concurrency, int rounds) throws InterruptedException {
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        ExecutorService oldWayClients = Executors.newFixedThreadPool(concurrency);
        List<Future<List<Trace>>> running = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int client = 0; client < concurrency; client++) {
                String user = "bench-c" + concurrency + "-client-" + client;
                String token = rig.token(user);
                running.add(clients.submit(() -> {
                    List<Trace> traces = new ArrayList<>();
                    for (int round = 0; round < rounds; round++) {
                        traces.add(session(user, token, oldWayClients));
                    }
                    return traces;
                }));
            }
            List<Trace> traces = new ArrayList<>();
            List<UUID> ids = new ArrayList<>();
            for (Future<List<Trace>> client : running) {
                for (Trace trace : join(client)) {
                    traces.add(trace);
                    ids.add(trace.sessionId());
                }
            }
            double wallSeconds = (System.nanoTime() - started) / 1e9;
            rig.awaitEnded(ids);
            return new FirstByteResult.Level(concurrency, wallSeconds, traces);
        } finally {
            clients.shutdownNow();
            oldWayClients.shutdownNow();
        }
    }

    /** One session: post, both routers asked at once, timestamps from the session's row, delete. */
    private Trace session(String user, String token, ExecutorService oldWayClients)
            throws IOException, InterruptedException {
        HttpClient http = rig.http();
        SessionApi api = rig.api();
        UUID project = rig.staticProject(user);
        long posted = System.nanoTime();
        SessionApi.Accepted session = api.create(token, project);
        long accepted = System.nanoTime();
        URI oldWayUrl = URI.create(oldWay.baseUrl() + "/s/" + session.sessionId() + "/");
        Future<Answer> oldWayAnswer = oldWayClients.submit(() -> get(http, oldWayUrl, OLD_WAY_TIMEOUT, posted));
        Answer ours = get(http, session.previewUrl(), rig.machineWait().plusSeconds(30), posted);
        Instant firstByte = Instant.now();
        Answer theirs = join(oldWayAnswer);

        RowTimes times = RowTimes.NONE;
        if (ours.status() == 200) {
            SessionView row = rig.directory().sessions()
                    .await(session.sessionId(), view -> view.readyAt() != null, VIEW_WAIT).join();
            times = RowTimes.of(row, firstByte);
        }
        api.terminate(token, session.statusUrl());
        return new Trace(session.sessionId(), (accepted - posted) / 1e6, ours.status(), ours.millis(),
                theirs.status(), theirs.millis(), times.queueMs(), times.provisionMs(), times.deliverMs());
    }

    private record Answer(int status, double millis) {
    }

    private static Answer get(HttpClient http, URI url, Duration timeout, long since)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), (System.nanoTime() - since) / 1e6);
    }

    private static <T> T join(Future<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a benchmark client failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * One session as the client saw it.
     *
     * @param acceptMs     POST sent → 202 received
     * @param status       our router's answer to the preview url
     * @param firstByteMs  POST sent → our router's answer
     * @param oldStatus    the old way's answer to the same preview
     * @param oldAnswerMs  POST sent → the old way's answer
     * @param queueMs      requested_at → created_at: the command's trip through Kafka to the provisioner, row insert
     * @param provisionMs  created_at → ready_at: machine created and its runtime healthy
     * @param deliverMs    ready_at → our answer: ACTIVE row committed, changelog, router wake-up, proxied request
     */
    record Trace(UUID sessionId, double acceptMs, int status, double firstByteMs, int oldStatus, double oldAnswerMs,
                 double queueMs, double provisionMs, double deliverMs) {
    }
}
