package dev.velocitypreview.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.session.SessionRowCodec;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.machines.Machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The check every scenario ends with:
 * <ol>
 *   <li>every accepted session reached ACTIVE or a terminal state (a row exists: nothing was lost);</li>
 *   <li>exactly one machine per ACTIVE session, the one its row names; no machine without an ACTIVE session;</li>
 *   <li>the changelog holds every version of every row, 1 to the row's current one (none lost), and a
 *       view built by the routers' own directory code agrees with the rows on status and version;</li>
 *   <li>every running router's own directory ({@code /actuator/sessions/{id}}) holds every row's status and
 *       version, and the router answers for every session as its row says: ACTIVE is served by its machine (200
 *       with the project), TERMINATED is 410, FAILED is 502. An answer still missing after {@link #SLOW} gets a
 *       thread dump of the router taken while it is outstanding, saved next to the logs.</li>
 * </ol>
 */
final class Audit {

    private static final Duration SETTLE = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A router answer slower than this is reported with the scenario's figures. */
    private static final Duration SLOW = Duration.ofSeconds(3);

    /** What the audit counted. */
    record Report(int accepted, int active, int terminated, int failed, int machines, long changelogRecords,
                  long duplicates, long auditMillis, List<String> slowRouterAnswers) {
        Map<String, Object> figures() {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("accepted (total)", accepted);
            figures.put("active", active);
            figures.put("terminated", terminated);
            figures.put("failed", failed);
            figures.put("machines", machines);
            figures.put("changelog records", changelogRecords);
            figures.put("replayed duplicates", duplicates);
            figures.put("audit ms", auditMillis);
            figures.put("slow router answers", slowRouterAnswers);
            return figures;
        }
    }

    private Audit() {
    }

    static Report run(FaultPlatform platform) {
        long start = System.nanoTime();
        Map<UUID, FaultPlatform.Requested> ledger = platform.ledger();
        await("every accepted session settles").atMost(SETTLE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<UUID, FaultPlatform.Row> rows = platform.rows();
            List<String> unsettled = new ArrayList<>();
            for (UUID id : ledger.keySet()) {
                FaultPlatform.Row row = rows.get(id);
                if (row == null || !(row.status() == SessionStatus.ACTIVE || row.status().isTerminal())) {
                    unsettled.add(id + "=" + (row == null ? "no row" : row.status()));
                }
            }
            assertThat(unsettled).as("accepted sessions not ACTIVE or terminal").isEmpty();
        });
        Map<UUID, FaultPlatform.Row> rows = platform.rows();

        List<Machine> machines = platform.machines.list();
        Map<UUID, List<Machine>> bySession = machines.stream().collect(Collectors.groupingBy(Machine::sessionId));
        List<String> machineProblems = new ArrayList<>();
        rows.values().stream().filter(row -> row.status() == SessionStatus.ACTIVE).forEach(row -> {
            List<Machine> own = bySession.getOrDefault(row.id(), List.of());
            if (own.size() != 1 || !own.get(0).id().equals(row.machineId())) {
                machineProblems.add(row.id() + " is ACTIVE with machines " + own + " (row names " + row.machineId() + ")");
            }
        });
        bySession.forEach((session, own) -> {
            FaultPlatform.Row row = rows.get(session);
            if (row == null || row.status() != SessionStatus.ACTIVE) {
                machineProblems.add("machines " + own + " belong to " + session + " which is "
                        + (row == null ? "unknown" : row.status()));
            }
        });
        assertThat(machineProblems).as("one machine per ACTIVE session, none without one").isEmpty();

        // the relay may still be catching up after a kill: wait for it, a version that never arrives is lost
        Tally[] last = new Tally[1];
        await("every row version reaches the changelog").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    last[0] = tally(platform);
                    assertThat(gaps(rows, last[0])).isEmpty();
                });
        Tally tally = last[0];

        await("the routers' view agrees with the database").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> disagreements = new ArrayList<>();
            rows.values().forEach(row -> {
                SessionView seen = platform.view().lookup(row.id()).orElse(null);
                if (seen == null || seen.status() != row.status() || seen.version() != row.version()) {
                    disagreements.add(row.id() + " database " + row.status() + " v" + row.version() + ", view "
                            + (seen == null ? "nothing" : seen.status() + " v" + seen.version()));
                }
            });
            assertThat(disagreements).isEmpty();
        });

        List<String> slow = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (Map.Entry<String, Integer> router : platform.routerPorts.entrySet()) {
            if (!platform.service(router.getKey()).isAlive()) {
                continue;
            }
            await("router " + router.getKey() + "'s own directory agrees with the database").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(storeDisagreements(router.getValue(), rows)).isEmpty());
            await("router " + router.getKey() + " answers as the database says").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(routerDisagreements(platform, router.getKey(), router.getValue(), rows,
                            ledger, slow)).isEmpty());
        }

        int active = count(rows, SessionStatus.ACTIVE);
        return new Report(ledger.size(), active, count(rows, SessionStatus.TERMINATED), count(rows, SessionStatus.FAILED),
                machines.size(), tally.records, tally.records - tally.distinct(),
                Duration.ofNanos(System.nanoTime() - start).toMillis(), List.copyOf(slow));
    }

    private static List<String> gaps(Map<UUID, FaultPlatform.Row> rows, Tally tally) {
        List<String> gaps = new ArrayList<>();
        rows.values().forEach(row -> {
            Set<Long> seen = tally.versions().getOrDefault(row.id(), Set.of());
            Set<Long> expected = LongStream.rangeClosed(1, row.version()).boxed().collect(Collectors.toSet());
            if (!seen.equals(expected)) {
                gaps.add(row.id() + " is at version " + row.version() + " in the database but the changelog holds "
                        + new java.util.TreeSet<>(seen));
            }
        });
        return gaps;
    }

    /** Rows whose status and version the router's own directory does not hold, asked through its actuator. */
    private static List<String> storeDisagreements(int port, Map<UUID, FaultPlatform.Row> rows) {
        List<String> disagreements = new ArrayList<>();
        for (FaultPlatform.Row row : rows.values()) {
            String held = stored(port, row.id());
            String expected = row.status() + " v" + row.version();
            if (!expected.equals(held)) {
                disagreements.add(row.id() + " database " + expected + ", router holds " + held);
            }
        }
        return disagreements;
    }

    /** What the router's directory holds for a session, as "STATUS vVERSION", or what it answered instead. */
    private static String stored(int port, UUID id) {
        HttpResponse<String> answer = get(URI.create("http://127.0.0.1:" + port + "/actuator/sessions/" + id));
        if (answer == null) {
            return "no answer";
        }
        if (answer.statusCode() != 200) {
            return answer.statusCode() + " " + answer.body();
        }
        JsonNode session = JSON.readTree(answer.body());
        return session.get("status").asString() + " v" + session.get("version").asLong();
    }

    private static List<String> routerDisagreements(FaultPlatform platform, String name, int port,
                                                    Map<UUID, FaultPlatform.Row> rows,
                                                    Map<UUID, FaultPlatform.Requested> ledger, List<String> slow) {
        // a client of its own per look: a pooled connection to a router killed meanwhile would fail the first request
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        List<String> disagreements = new ArrayList<>();
        for (FaultPlatform.Row row : rows.values()) {
            int expected = switch (row.status()) {
                case ACTIVE -> 200;
                case TERMINATED -> 410;
                case FAILED -> 502;
                default -> -1;
            };
            HttpResponse<String> answer;
            long asked = System.nanoTime();
            CompletableFuture<HttpResponse<String>> pending = http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/s/" + row.id() + "/"))
                            .timeout(Duration.ofSeconds(25)).build(), HttpResponse.BodyHandlers.ofString());
            String whileMissing = "";
            if (!pending.handle((ok, error) -> true).completeOnTimeout(false, SLOW.toMillis(), TimeUnit.MILLISECONDS).join()) {
                // what the router holds and does while the answer is missing, not after it came
                whileMissing = ", router holds " + stored(port, row.id()) + ", threads in " + platform.threadDump(name);
            }
            try {
                answer = pending.get();
            } catch (ExecutionException e) {
                slow.add(name + " " + row.id() + " " + row.status() + " no answer after "
                        + Duration.ofNanos(System.nanoTime() - asked).toMillis() + " ms: " + e.getCause() + whileMissing);
                disagreements.add(row.id() + " is " + row.status() + " v" + row.version() + " (machine was "
                        + row.machineUrl() + ", " + (listening(row.machineUrl()) ? "something listens there" : "nothing listens there")
                        + ") but the router did not answer: " + e.getCause());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - asked);
            if (took.compareTo(SLOW) > 0) {
                slow.add(name + " " + row.id() + " " + row.status() + " " + answer.statusCode() + " in " + took.toMillis()
                        + " ms" + whileMissing);
            }
            if (answer.statusCode() != expected) {
                disagreements.add(row.id() + " is " + row.status() + " but the router answered "
                        + answer.statusCode() + " " + answer.body());
            } else if (expected == 200) {
                FaultPlatform.Requested requested = ledger.get(row.id());
                if (requested != null && !answer.body().contains(requested.projectId().toString())) {
                    disagreements.add(row.id() + " served a page without its project " + requested.projectId());
                }
            }
        }
        return disagreements;
    }

    private static boolean listening(String url) {
        if (url == null) {
            return false;
        }
        URI uri = URI.create(url);
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static HttpResponse<String> get(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int count(Map<UUID, FaultPlatform.Row> rows, SessionStatus status) {
        return (int) rows.values().stream().filter(row -> row.status() == status).count();
    }

    /** Versions per session on the changelog, read from the beginning to the current end. */
    record Tally(Map<UUID, Set<Long>> versions, long records, long unreadable) {
        long distinct() {
            return versions.values().stream().mapToLong(Set::size).sum();
        }
    }

    static Tally tally(FaultPlatform platform) {
        Map<UUID, Set<Long>> versions = new HashMap<>();
        long records = 0;
        long unreadable = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = platform.consumer()) {
            List<TopicPartition> partitions = FaultPlatform.partitions(consumer, Topics.SESSIONS.name());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("changelog not read to its end within 30s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        SessionView view = SessionRowCodec.decode(record.value());
                        versions.computeIfAbsent(view.id(), id -> new HashSet<>()).add(view.version());
                        records++;
                    } catch (RuntimeException e) {
                        unreadable++;
                    }
                }
            }
        }
        return new Tally(versions, records, unreadable);
    }
}
