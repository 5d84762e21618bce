package dev.velocitypreview.bench.warmstart;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.velocitypreview.bench.rig.PlatformRig;
import dev.velocitypreview.bench.rig.PoolPlaces;
import dev.velocitypreview.bench.rig.RowTimes;
import dev.velocitypreview.bench.rig.SessionApi;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;

/**
 * Scenario 12: POST → first byte of a react preview, on a fresh machine and on a machine of a warm pool, at each
 * concurrency, on one platform in one run. The platform runs with a pool of the react template
 * ({@link #poolSettings}) at the pool's machine size, the free tier's: a free-tier user's session claims a pooled
 * machine, a team-tier user's (a larger machine, of which no pool is kept) gets a fresh one, so both rows run on the
 * same platform, dependency store and JVM, side by side in time.
 *
 * <p>Every session is of a new project of the react template's own files (so it fits the pool: the same
 * {@code package.json} and lockfile) with its {@code index.html} title and its main component's heading naming the
 * project; the first byte's body (the page's HTML) must name it, so a page the template would show counts as
 * wrong. Each client posts and requests the host-style preview the moment the 202 arrives (the router holds it
 * until the session is ACTIVE); {@code concurrency} clients do that at once, a round, and a level is rounds until it
 * has its sessions. Before each round of the pool's rows the bench waits until the pool is full again (its places in
 * {@code machine_pool}), so every session of the round finds a ready machine and no refill competes with the round
 * for the two cores; a fresh machine's rows warm the dependency store first (the pool's first warm-up installs the
 * template's dependencies, and one unmeasured fresh session follows), so they measure a start, not an install.
 */
public final class WarmStartScenario {

    /**
     * @param concurrencies clients side by side, a level each, without the pool and then with it
     * @param sessions      sessions per level at least, in whole rounds
     * @param pool          machines the pool keeps; at least the largest concurrency
     */
    public record Settings(List<Integer> concurrencies, int sessions, int pool) {
        public Settings {
            concurrencies = List.copyOf(concurrencies);
            int largest = concurrencies.stream().mapToInt(Integer::intValue).max().orElse(0);
            if (pool < largest) {
                throw new IllegalArgumentException("a pool of " + pool + " cannot serve " + largest + " sessions at once");
            }
        }
    }

    static final Template REACT = TemplateCatalog.builtIn().named("react").orElseThrow();
    /** The tier whose machine size is the pool's (its default, {@code shared-cpu-1x:256MB}). */
    static final Tier POOLED_TIER = Tier.FREE;
    /** A tier whose machine size no pool keeps: its sessions get fresh machines. */
    static final Tier FRESH_TIER = Tier.TEAM;
    private static final String TITLE = "<title>React on Vite</title>";
    private static final String HEADING = "Hello from React";
    /** The first warm-up of a pool installs the template's dependencies, with many machines starting at once. */
    private static final Duration POOL_FILLED_WITHIN = Duration.ofMinutes(10);
    private static final Duration VIEW_WAIT = Duration.ofSeconds(60);

    private final PlatformRig rig;
    private final PoolPlaces places;

    public WarmStartScenario(PlatformRig rig) {
        this.rig = rig;
        this.places = new PoolPlaces(rig.jdbcUrl(), rig.databaseUser());
    }

    /** What the platform of this scenario needs: a pool of the react template with {@code settings.pool()} machines. */
    public static Map<String, Object> poolSettings(Settings settings) {
        return Map.of("velocity.provisioner.pool.templates." + REACT.name(), settings.pool());
    }

    public WarmStartResult run(Settings settings) throws InterruptedException {
        long started = System.nanoTime();
        System.out.printf("bench: warm start, waiting for a pool of %d react machines%n", settings.pool());
        places.awaitReady(settings.pool(), POOL_FILLED_WITHIN);
        // unmeasured: the dependency store, the dev server's first start and the platform's code paths, both ways
        round(false, 1, "warm-up");
        places.awaitReady(settings.pool(), POOL_FILLED_WITHIN);
        round(true, 1, "warm-up");
        List<WarmStartResult.Level> levels = new ArrayList<>();
        for (boolean pooled : List.of(false, true)) {
            for (int concurrency : settings.concurrencies()) {
                int rounds = Math.max(1, (settings.sessions() + concurrency - 1) / concurrency);
                System.out.printf("bench: warm start, %s, concurrency %d, %d sessions%n",
                        pooled ? "warm pool" : "fresh machines", concurrency, rounds * concurrency);
                List<Trace> traces = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    if (pooled) {
                        places.awaitReady(settings.pool(), POOL_FILLED_WITHIN);
                    }
                    traces.addAll(round(pooled, concurrency, "c" + concurrency + "-r" + round));
                }
                levels.add(new WarmStartResult.Level(pooled, concurrency, traces));
            }
        }
        return new WarmStartResult(settings, levels, Duration.ofNanos(System.nanoTime() - started));
    }

    /** {@code concurrency} sessions posted at once, each answered, then ended before the next round. */
    private List<Trace> round(boolean pooled, int concurrency, String name) throws InterruptedException {
        Set<String> ready = places.readyMachines();
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Trace>> running = new ArrayList<>();
            for (int client = 0; client < concurrency; client++) {
                // a user of its own per session: quotas are per user, and the free tier's are small
                String user = "bench-warm-" + (pooled ? "pool-" : "fresh-") + name + "-" + client;
                String token = rig.token(user, pooled ? POOLED_TIER : FRESH_TIER);
                String marker = "Project " + UUID.randomUUID() + " starts warm";
                UUID project = rig.templateProject(user, REACT, Map.of(
                        "index.html", content("index.html").replace(TITLE, "<title>" + marker + "</title>"),
                        REACT.mainFile(), content(REACT.mainFile()).replace(HEADING, marker)));
                running.add(clients.submit(() -> {
                    go.await();
                    return session(token, project, marker, pooled, ready);
                }));
            }
            go.countDown();
            List<Trace> traces = new ArrayList<>();
            for (Future<Trace> client : running) {
                traces.add(join(client));
            }
            rig.awaitEnded(traces.stream().map(Trace::sessionId).toList());
            return traces;
        } finally {
            clients.shutdownNow();
        }
    }

    private Trace session(String token, UUID project, String marker, boolean pooled, Set<String> ready)
            throws IOException, InterruptedException {
        SessionApi api = rig.api();
        long posted = System.nanoTime();
        SessionApi.Accepted session = api.create(token, project);
        long accepted = System.nanoTime();
        URI preview = rig.hostStylePreview(session.sessionId());
        HttpResponse<String> page = rig.previews().send(HttpRequest.newBuilder(preview)
                        .timeout(rig.machineWait().plusSeconds(30)).header("Accept", "text/html").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        double firstByteMs = (System.nanoTime() - posted) / 1e6;
        Instant answered = Instant.now();
        RowTimes times = RowTimes.NONE;
        boolean fromPool = false;
        if (page.statusCode() == 200) {
            SessionView row = rig.directory().sessions()
                    .await(session.sessionId(), view -> view.readyAt() != null, VIEW_WAIT).join();
            times = RowTimes.of(row, answered);
            fromPool = ready.contains(row.machineId());
        }
        api.terminate(token, session.statusUrl());
        return new Trace(session.sessionId(), page.statusCode(), page.body().contains(marker), fromPool,
                (accepted - posted) / 1e6, firstByteMs, times);
    }

    private static String content(String path) {
        return REACT.files().stream().filter(file -> file.path().equals(path)).findFirst().orElseThrow().content();
    }


    private static <T> T join(Future<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a benchmark client failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * One session as the client saw it.
     *
     * @param status       the router's answer to the preview
     * @param showsProject the answer's body names the session's project, not the template
     * @param fromPool     its machine was a ready machine of the pool when the round began
     * @param acceptMs     POST sent → 202 received
     * @param firstByteMs  POST sent → the preview's answer
     * @param times        where the time went, by the session's row (provisioning: a machine claimed and its files
     *                     applied, or a machine created and started)
     */
    public record Trace(UUID sessionId, int status, boolean showsProject, boolean fromPool, double acceptMs,
                        double firstByteMs, RowTimes times) {
    }
}
