package dev.velocitypreview.bench.throughput;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The far side of Fly's Machines API for the throughput benchmark, answering with the documented shapes
 * ({@code /v1/apps/{app}/machines}: create, list by {@code metadata.*}, get, {@code /wait}, start, stop, destroy;
 * errors as {@code {"error": …}}). Every API answer takes {@code apiLatency}; a created machine reaches
 * {@code started} after {@code startLatency}. Fly's rate limits are enforced here too, per action, answering 429
 * with {@code Retry-After} when a client exceeds them, so a client that does not keep to them pays for it.
 * {@code GET /health} answers for every machine's runtime (ready at once), without latency or limits.
 */
final class SimulatedFly implements AutoCloseable {

    /** The kinds of request Fly rate-limits separately. */
    enum Action { CREATE, LIST, GET, WAIT, START, STOP, DESTROY }

    /** Requests per second and burst, per action; {@code get} for "get machine", {@code action} for the rest. */
    record Limits(double actionsPerSecond, int actionBurst, double getsPerSecond, int getBurst) {
        static final Limits FLY = new Limits(1, 3, 5, 10);
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MACHINES = "/machines";

    private final HttpServer server;
    private final ExecutorService threads;
    private final String app;
    private final Duration apiLatency;
    private final Duration startLatency;
    private final Map<String, SimulatedMachine> machines = new ConcurrentHashMap<>();
    private final Map<Action, AtomicLong> requests = new EnumMap<>(Action.class);
    private final AtomicLong throttled = new AtomicLong();
    private volatile Map<Action, Bucket> buckets;

    private SimulatedFly(HttpServer server, ExecutorService threads, String app, Duration apiLatency,
                         Duration startLatency, Limits limits) {
        this.server = server;
        this.threads = threads;
        this.app = app;
        this.apiLatency = apiLatency;
        this.startLatency = startLatency;
        for (Action action : Action.values()) {
            requests.put(action, new AtomicLong());
        }
        limit(limits);
    }

    static SimulatedFly start(String app, Duration apiLatency, Duration startLatency, Limits limits) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        // waits park a thread each, as a long poll does
        ExecutorService threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "simulated-fly");
            thread.setDaemon(true);
            return thread;
        });
        SimulatedFly fly = new SimulatedFly(server, threads, app, apiLatency, startLatency, limits);
        server.createContext("/", fly::handle);
        server.setExecutor(threads);
        server.start();
        return fly;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** New rate limits from now on, with full buckets. */
    void limit(Limits limits) {
        Map<Action, Bucket> fresh = new EnumMap<>(Action.class);
        for (Action action : Action.values()) {
            fresh.put(action, action == Action.GET
                    ? new Bucket(limits.getsPerSecond(), limits.getBurst())
                    : new Bucket(limits.actionsPerSecond(), limits.actionBurst()));
        }
        buckets = fresh;
    }

    Map<Action, Long> requests() {
        Map<Action, Long> counts = new LinkedHashMap<>();
        requests.forEach((action, count) -> counts.put(action, count.get()));
        return counts;
    }

    /** Requests answered 429 because the client went over a limit. */
    long throttled() {
        return throttled.get();
    }

    Duration apiLatency() {
        return apiLatency;
    }

    Duration startLatency() {
        return startLatency;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/health") || path.endsWith("/health")) {
                answer(exchange, 200, JSON.createObjectNode().put("status", "ready").set("checks", JSON.createArrayNode()));
                return;
            }
            String prefix = "/v1/apps/" + app + MACHINES;
            if (!path.startsWith(prefix)) {
                answer(exchange, 404, error("not found"));
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                answer(exchange, 401, error("unauthorized"));
                return;
            }
            String[] rest = path.substring(prefix.length()).split("/");
            String id = rest.length > 1 ? rest[1] : null;
            String verb = rest.length > 2 ? rest[2] : null;
            String method = exchange.getRequestMethod();
            Action action = action(method, id, verb);
            if (action == null) {
                answer(exchange, 404, error("not found"));
                return;
            }
            requests.get(action).incrementAndGet();
            if (!buckets.get(action).tryTake()) {
                throttled.incrementAndGet();
                exchange.getResponseHeaders().set("Retry-After", "1");
                answer(exchange, 429, error("rate limit exceeded"));
                return;
            }
            pause(apiLatency.toNanos());
            switch (action) {
                case CREATE -> create(exchange);
                case LIST -> list(exchange);
                case GET -> withMachine(exchange, id, machine -> answer(exchange, 200, machine.toJson()));
                case WAIT -> withMachine(exchange, id, machine -> await(exchange, machine));
                case START -> withMachine(exchange, id, machine -> answer(exchange, 200,
                        JSON.createObjectNode().put("previous_state", machine.state()).put("migrated", false)));
                case STOP -> withMachine(exchange, id, machine -> answer(exchange, 200, JSON.createObjectNode().put("ok", true)));
                case DESTROY -> withMachine(exchange, id, machine -> {
                    machine.destroyed = true;
                    answer(exchange, 200, JSON.createObjectNode().put("ok", true));
                });
            }
        }
    }

    private static Action action(String method, String id, String verb) {
        if (id == null) {
            return switch (method) {
                case "POST" -> Action.CREATE;
                case "GET" -> Action.LIST;
                default -> null;
            };
        }
        if (verb == null) {
            return switch (method) {
                case "GET" -> Action.GET;
                case "DELETE" -> Action.DESTROY;
                default -> null;
            };
        }
        return switch (method + " " + verb) {
            case "GET wait" -> Action.WAIT;
            case "POST start" -> Action.START;
            case "POST stop" -> Action.STOP;
            default -> null;
        };
    }

    private void create(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        JsonNode config = body.path("config");
        if (!config.path("image").isString()) {
            answer(exchange, 422, error("config.image is required"));
            return;
        }
        // Fly machine ids: 14 lower-case hex digits
        String id = String.format("%014x", ThreadLocalRandom.current().nextLong() & 0xFF_FFFF_FFFF_FFFFL);
        SimulatedMachine machine = new SimulatedMachine(id, body.path("region").asString("ams"), (ObjectNode) config,
                Instant.now(), System.nanoTime() + startLatency.toNanos());
        machines.put(id, machine);
        answer(exchange, 200, machine.toJson());
    }

    private void list(HttpExchange exchange) throws IOException {
        Map<String, String> filters = new LinkedHashMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (key.startsWith("metadata.") && eq >= 0) {
                    filters.put(key.substring("metadata.".length()),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        ArrayNode found = JSON.createArrayNode();
        for (SimulatedMachine machine : machines.values()) {
            if (!machine.destroyed && filters.entrySet().stream().allMatch(filter ->
                    filter.getValue().equals(machine.config.path("metadata").path(filter.getKey()).asString(null)))) {
                found.add(machine.toJson());
            }
        }
        answer(exchange, 200, found);
    }

    /** Long poll: answers when the machine has started, or 408 when the requested timeout passes first. */
    private void await(HttpExchange exchange, SimulatedMachine machine) throws IOException {
        long timeoutSeconds = 60;
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("timeout=")) {
                    timeoutSeconds = Long.parseLong(pair.substring("timeout=".length()));
                }
            }
        }
        long wait = machine.startsAt - System.nanoTime();
        if (wait > timeoutSeconds * 1_000_000_000L) {
            pause(timeoutSeconds * 1_000_000_000L);
            answer(exchange, 408, error("deadline_exceeded: machine did not reach started"));
            return;
        }
        pause(wait);
        answer(exchange, 200, JSON.createObjectNode().put("ok", true));
    }

    private interface MachineAnswer {
        void answer(SimulatedMachine machine) throws IOException;
    }

    private void withMachine(HttpExchange exchange, String id, MachineAnswer then) throws IOException {
        SimulatedMachine machine = machines.get(id);
        if (machine == null || machine.destroyed) {
            answer(exchange, 404, error("machine not found"));
            return;
        }
        then.answer(machine);
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void pause(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private final class SimulatedMachine {
        final String id;
        final String region;
        final ObjectNode config;
        final Instant createdAt;
        final long startsAt;
        volatile boolean destroyed;

        SimulatedMachine(String id, String region, ObjectNode config, Instant createdAt, long startsAt) {
            this.id = id;
            this.region = region;
            this.config = config;
            this.createdAt = createdAt;
            this.startsAt = startsAt;
        }

        String state() {
            if (destroyed) {
                return "destroyed";
            }
            return System.nanoTime() >= startsAt ? "started" : "created";
        }

        ObjectNode toJson() {
            ObjectNode json = JSON.createObjectNode()
                    .put("id", id)
                    .put("name", "preview-" + id)
                    .put("state", state())
                    .put("region", region)
                    .put("instance_id", "01" + id.toUpperCase())
                    .put("private_ip", "fdaa:0:1::" + Integer.toHexString(id.hashCode() & 0xffff))
                    .put("created_at", createdAt.toString())
                    .put("updated_at", Instant.now().toString());
            json.set("config", config);
            return json;
        }
    }

    /** A token bucket: {@code burst} requests at once, refilled at {@code perSecond}. */
    private static final class Bucket {
        private final double perSecond;
        private final int burst;
        private double tokens;
        private long refilledAt = System.nanoTime();

        Bucket(double perSecond, int burst) {
            this.perSecond = perSecond;
            this.burst = burst;
            this.tokens = burst;
        }

        synchronized boolean tryTake() {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * perSecond);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
