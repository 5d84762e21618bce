package dev.velocitypreview.bench.proxy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.velocitypreview.bench.rig.Infrastructure;
import dev.velocitypreview.bench.rig.PlatformRig;
import dev.velocitypreview.bench.rig.SessionApi;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;

/**
 * Scenario 4: requests per second and latency to one preview machine straight, through our router (proxy mode)
 * and through nginx proxying the same machine, for a small and a 100 KiB response, driven by wrk.
 *
 * <p>The project is seeded in the platform's database before its session is requested, as the app builder's
 * project would exist; the session itself (row, machine) is made by the platform as any other.
 */
public final class ProxyOverheadScenario {

    static final String SMALL_PATH = "/small.html";
    static final String LARGE_PATH = "/large.txt";
    static final int LARGE_BYTES = 100 * 1024;
    static final String SMALL_PAGE = "<!doctype html><html><head><title>bench</title></head>"
            + "<body><p>a small preview page</p></body></html>\n";

    /** Two warm-up runs this close in requests/s: the target's rate has stopped climbing. */
    static final double SETTLED = 0.10;

    /**
     * @param warmUp         one unmeasured wrk run before each measured series (the router's JIT, connection pools)
     * @param maxWarmUps     warm-up runs are repeated until two in a row are within {@link #SETTLED} of each other in
     *                       requests/s, at most this many: on a loaded machine the router's JIT has compiled its
     *                       request path only after a number of requests, not of seconds
     * @param run            one measured wrk run
     * @param runs           measured runs per target and size
     * @param connections    wrk connections (two wrk threads)
     * @param installMissing try {@code apt-get install -y nginx wrk} when either is missing
     */
    public record Settings(Duration warmUp, int maxWarmUps, Duration run, int runs, int connections,
                           boolean installMissing) {
    }

    private final PlatformRig rig;
    private final Infrastructure infrastructure;

    public ProxyOverheadScenario(PlatformRig rig, Infrastructure infrastructure) {
        this.rig = rig;
        this.infrastructure = infrastructure;
    }

    public ProxyResult run(Settings settings) throws Exception {
        System.out.println("bench: proxy overhead");
        Optional<Path> wrk = Tools.find("wrk");
        Optional<Path> nginx = Tools.find("nginx");
        String installNote = null;
        if ((wrk.isEmpty() || nginx.isEmpty()) && settings.installMissing()) {
            installNote = Tools.install(List.of("nginx", "wrk")).orElse(null);
            wrk = Tools.find("wrk");
            nginx = Tools.find("nginx");
        }
        if (wrk.isEmpty()) {
            return ProxyResult.unavailable("`wrk` is not installed" + (installNote == null ? "" : " (" + installNote + ")")
                    + "; install Debian's `wrk` and `nginx` (`apt-get install -y nginx wrk`) and run the suite again");
        }
        String nginxMissing = nginx.isPresent() ? null : "`nginx` is not installed"
                + (installNote == null ? "" : " (" + installNote + ")");

        UUID projectId = seedProject();
        String token = rig.token("bench-proxy");
        SessionApi.Accepted session = rig.api().create(token, projectId);
        SessionView active = rig.directory().sessions()
                .await(session.sessionId(), view -> view.status() == SessionStatus.ACTIVE || view.status().isTerminal(),
                        rig.machineWait()).join();
        if (active.status() != SessionStatus.ACTIVE) {
            throw new IllegalStateException("the proxy benchmark's session ended " + active.status() + ": " + active.error());
        }
        URI machine = URI.create(active.machineUrl());
        Map<String, String> targets = new LinkedHashMap<>();
        targets.put(ProxyResult.DIRECT, "http://" + machine.getHost() + ":" + machine.getPort());
        targets.put(ProxyResult.ROUTER, rig.routerUrl() + "/s/" + session.sessionId());
        NginxProxy proxy = nginx.isPresent()
                ? NginxProxy.start(nginx.get(), infrastructure.directory("nginx"), machine) : null;
        try {
            if (proxy != null) {
                targets.put(ProxyResult.NGINX, proxy.baseUrl());
            }
            Wrk load = new Wrk(wrk.get(), 2, settings.connections());
            List<ProxyResult.Measurement> measurements = new ArrayList<>();
            for (Map.Entry<String, String> size : List.of(
                    Map.entry(ProxyResult.SMALL, SMALL_PATH), Map.entry(ProxyResult.LARGE, LARGE_PATH))) {
                for (Map.Entry<String, String> target : targets.entrySet()) {
                    String url = target.getValue() + size.getValue();
                    System.out.println("bench: proxy overhead, " + size.getKey() + " " + target.getKey());
                    requireServed(url, size.getValue());
                    int warmUps = warmUp(load, url, settings);
                    List<Wrk.Run> runs = new ArrayList<>();
                    for (int i = 0; i < settings.runs(); i++) {
                        runs.add(load.run(url, settings.run()));
                    }
                    measurements.add(new ProxyResult.Measurement(size.getKey(), target.getKey(), warmUps, runs));
                }
            }
            return new ProxyResult(null, nginxMissing, load.threads(), load.connections(), settings.warmUp(),
                    settings.maxWarmUps(),
                    settings.run(), settings.runs(), measurements);
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            rig.api().terminate(token, session.statusUrl());
        }
    }

    /** Runs unmeasured warm-up runs until the rate has settled ({@link Settings#maxWarmUps}); how many it ran. */
    private static int warmUp(Wrk load, String url, Settings settings) throws IOException, InterruptedException {
        double previous = load.run(url, settings.warmUp()).requestsPerSecond();
        int warmUps = 1;
        while (warmUps < settings.maxWarmUps()) {
            double rate = load.run(url, settings.warmUp()).requestsPerSecond();
            warmUps++;
            System.out.printf(Locale.ROOT, "bench: warm-up run %d: %.0f req/s (before: %.0f)%n", warmUps, rate, previous);
            if (Math.abs(rate - previous) <= SETTLED * Math.max(rate, previous)) {
                break;
            }
            previous = rate;
        }
        return warmUps;
    }

    /** A project with one small page and one 100 KiB file, as the app builder would have stored it. */
    private UUID seedProject() throws SQLException {
        UUID projectId = UUID.randomUUID();
        try (Connection connection = DriverManager.getConnection(rig.jdbcUrl(), rig.databaseUser(), "")) {
            try (PreparedStatement project = connection.prepareStatement("""
                    INSERT INTO projects (id, name, description, template_type, owner_id)
                    VALUES (?, 'proxy benchmark', 'a small page and a 100 KiB file', 'static', 'bench-proxy')""")) {
                project.setObject(1, projectId);
                project.executeUpdate();
            }
            insertFile(connection, projectId, SMALL_PATH.substring(1), "html", SMALL_PAGE);
            insertFile(connection, projectId, LARGE_PATH.substring(1), "text", "x".repeat(LARGE_BYTES - 1) + "\n");
        }
        return projectId;
    }

    private static void insertFile(Connection connection, UUID projectId, String path, String type, String content)
            throws SQLException {
        try (PreparedStatement file = connection.prepareStatement("""
                INSERT INTO project_files (id, project_id, file_path, content, file_type, size)
                VALUES (?, ?, ?, ?, ?, ?)""")) {
            file.setObject(1, UUID.randomUUID());
            file.setObject(2, projectId);
            file.setString(3, path);
            file.setString(4, content);
            file.setString(5, type);
            file.setLong(6, content.getBytes(StandardCharsets.UTF_8).length);
            file.executeUpdate();
        }
    }

    /** Measuring error pages would flatter whoever serves them fastest: each target must serve the file first. */
    private void requireServed(String url, String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = rig.http().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        int expected = path.equals(LARGE_PATH) ? LARGE_BYTES : SMALL_PAGE.getBytes(StandardCharsets.UTF_8).length;
        if (response.statusCode() != 200 || response.body().length != expected) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + " with "
                    + response.body().length + " bytes, expected 200 with " + expected);
        }
    }
}
