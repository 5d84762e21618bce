package dev.velocitypreview.bench.warmstart;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.velocitypreview.bench.rig.Infrastructure;
import dev.velocitypreview.bench.rig.PlatformRig;
import dev.velocitypreview.bench.rig.PoolPlaces;
import dev.velocitypreview.bench.rig.SessionApi;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;

/**
 * The platform's own hops of one session at a time, split finer than scenario 12's table: for working on them, not
 * for the report. Usage: {@code HopSplit [static|pooled] [sessions]}. A static session (one page, no dev server)
 * shows the hops without a dev server's compile; a pooled one claims a react machine of a pool of one, as scenario
 * 12's warm pool rows do. Every hop is from the row's own timestamps, the client's clock and a directory of the
 * bench's own (a Kafka Streams reader of the changelog, as the router's is), all on this one machine's clock.
 */
public final class HopSplit {

    private static final Duration WAIT = Duration.ofMinutes(3);

    private HopSplit() {
    }

    public static void main(String[] args) throws Exception {
        boolean pooled = args.length > 0 && args[0].equals("pooled");
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Map<String, Object> settings = pooled
                ? Map.of("velocity.provisioner.pool.templates." + WarmStartScenario.REACT.name(), 1) : Map.of();
        try (Infrastructure infrastructure = Infrastructure.start();
             PlatformRig rig = PlatformRig.start(infrastructure, "hops", settings)) {
            PoolPlaces places = new PoolPlaces(rig.jdbcUrl(), rig.databaseUser());
            List<double[]> rows = new ArrayList<>();
            for (int i = 0; i < sessions + 3; i++) {
                if (pooled) {
                    places.awaitReady(1, Duration.ofMinutes(10));
                }
                double[] split = session(rig, pooled, i);
                if (i >= 3) {
                    rows.add(split);
                }
                System.out.printf("hops: %s%n", format(split));
            }
            double[] medians = new double[NAMES.length];
            for (int column = 0; column < NAMES.length; column++) {
                int c = column;
                double[] values = rows.stream().mapToDouble(row -> row[c]).sorted().toArray();
                medians[column] = values[values.length / 2];
            }
            System.out.printf("hops median of %d %s sessions: %s%n", rows.size(), pooled ? "pooled" : "static",
                    format(medians));
        }
        System.exit(0);
    }

    private static final String[] NAMES = {"post→202", "post→requested_at", "requested_at→202",
        "requested→created", "created→ready", "ready→directory", "directory→first byte", "post→first byte"};

    private static String format(double[] split) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++) {
            line.append(String.format("%s %.1f ms; ", NAMES[i], split[i]));
        }
        return line.toString();
    }

    private static double[] session(PlatformRig rig, boolean pooled, int index) throws Exception {
        String user = "hops-" + index + "-" + UUID.randomUUID();
        String token = rig.token(user, pooled ? WarmStartScenario.POOLED_TIER : WarmStartScenario.FRESH_TIER);
        UUID project = pooled ? rig.templateProject(user, WarmStartScenario.REACT, Map.of())
                : rig.staticProject(user);
        SessionApi api = rig.api();
        Instant posted = Instant.now();
        long postedNanos = System.nanoTime();
        SessionApi.Accepted session = api.create(token, project);
        long acceptedNanos = System.nanoTime();
        Instant[] seen = new Instant[1];
        CompletableFuture<SessionView> active = rig.directory().sessions()
                .await(session.sessionId(), view -> view.status() == SessionStatus.ACTIVE || view.status().isTerminal(), WAIT)
                .whenComplete((view, failure) -> seen[0] = Instant.now());
        URI preview = pooled ? rig.hostStylePreview(session.sessionId()) : session.previewUrl();
        HttpResponse<String> page = rig.previews().send(HttpRequest.newBuilder(preview).timeout(WAIT)
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        Instant answered = Instant.now();
        double firstByte = (System.nanoTime() - postedNanos) / 1e6;
        if (page.statusCode() != 200) {
            throw new IllegalStateException("session " + session.sessionId() + " answered " + page.statusCode());
        }
        SessionView row = active.join();
        api.terminate(token, session.statusUrl());
        rig.awaitEnded(List.of(session.sessionId()));
        return new double[] {(acceptedNanos - postedNanos) / 1e6, ms(posted, row.requestedAt()),
            ms(row.requestedAt(), posted.plusNanos(acceptedNanos - postedNanos)), ms(row.requestedAt(), row.createdAt()),
            ms(row.createdAt(), row.readyAt()), ms(row.readyAt(), seen[0]), ms(seen[0], answered), firstByte};
    }

    private static double ms(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }
}
