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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.MachineClaim;

/**
 * The far side of Fly's Machines API for the throughput benchmark, answering with the documented shapes
 * ({@code /v1/apps/{app}/machines}: create, list by {@code metadata.*}, get, {@code /wait?state=started|suspended},
 * start, stop, suspend, {@code POST /{id}/metadata/{key}}, destroy; errors as {@code {"error": …}}). Every API answer
 * takes {@code apiLatency}; a created (or stopped) machine reaches {@code started} {@code startLatency} after its
 * create (or start), a suspended one {@code resumeLatency} after its start. Fly's rate limits are enforced here too,
 * as Fly scopes them: per action and per machine for the actions on one machine, per action and per app for create
 * and list, answering 429 with {@code Retry-After} when a client exceeds them, so a client that does not keep to them
 * pays for it. Each machine's runtime answers here too, without latency or limits: {@code GET …/health} (ready at
 * once), and {@code POST …/__velocity/claim} as a pooled runtime does (the bearer token its
 * {@code PREVIEW_POOL_TOKEN}, 503 until the machine is started, 409 for a second session, 200 with the claim's
 * counts).
 */
final class SimulatedFly implements AutoCloseable {

    /** The kinds of request Fly rate-limits separately. */
    enum Action {
        CREATE, LIST, GET, WAIT, START, STOP, SUSPEND, METADATA, DESTROY;

        /** Fly limits the actions on one machine per machine; create and list name none, and are limited per app. */
        boolean perMachine() {
            return this != CREATE && this != LIST;
        }
    }

    /** Requests per second and burst, per action; {@code get} for "get machine", {@code action} for the rest. */
    record Limits(double actionsPerSecond, int actionBurst, double getsPerSecond, int getBurst) {
        static final Limits FLY = new Limits(1, 3, 5, 10);
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MACHINES = "/machines";
    private static final String CLAIM = "/__velocity/claim";
    private static final String POOL_TOKEN_ENV = "PREVIEW_POOL_TOKEN";

    private final HttpServer server;
    private final ExecutorService threads;
    private final String app;
    private final Duration apiLatency;
    private final Duration startLatency;
    private final Duration resumeLatency;
    private final Map<String, SimulatedMachine> machines = new ConcurrentHashMap<>();
    private final Map<Action, AtomicLong> requests = new EnumMap<>(Action.class);
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong claims = new AtomicLong();
    private volatile Buckets buckets;

    private SimulatedFly(HttpServer server, ExecutorService threads, String app, Duration apiLatency,
                         Duration startLatency, Duration resumeLatency, Limits limits) {
        this.server = server;
        this.threads = threads;
        this.app = app;
        this.apiLatency = apiLatency;
        this.startLatency = startLatency;
        this.resumeLatency = resumeLatency;
        for (Action action : Action.values()) {
            requests.put(action, new AtomicLong());
        }
        limit(limits);
    }

    static SimulatedFly start(String app, Duration apiLatency, Duration startLatency, Duration resumeLatency,
                              Limits limits) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        // waits park a thread each, as a long poll does
        ExecutorService threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "simulated-fly");
            thread.setDaemon(true);
            return thread;
        });
        SimulatedFly fly = new SimulatedFly(server, threads, app, apiLatency, startLatency, resumeLatency,
                limits);
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
        buckets = new Buckets(limits);
    }

    /** The live machines tagged with a pool and no session, suspended: a warm pool ready to be claimed. */
    long suspendedPooled() {
        return machines.values().stream().filter(machine -> !machine.destroyed && machine.metadata("pool") != null
                && machine.metadata("session_id") == null && machine.state().equals("suspended")).count();
    }

    Map<Action, Long> requests() {
        Map<Action, Long> counts = new LinkedHashMap<>();
        requests.forEach((action, count) -> counts.put(action, count.get()));
        return counts;
    }

    /** Claims the pooled runtimes took (answered 200). */
    long claims() {
        return claims.get();
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

    Duration resumeLatency() {
        return resumeLatency;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/health") || path.endsWith("/health")) {
                answer(exchange, 200, JSON.createObjectNode().put("status", "ready").set("checks", JSON.createArrayNode()));
                return;
            }
            if (path.endsWith(CLAIM) && exchange.getRequestMethod().equals("POST")) {
                claim(exchange);
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
            if (!buckets.take(action, id)) {
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
                        JSON.createObjectNode().put("previous_state", machine.start()).put("migrated", false)));
                case STOP -> withMachine(exchange, id, machine -> {
                    machine.stop();
                    answer(exchange, 200, JSON.createObjectNode().put("ok", true));
                });
                case SUSPEND -> withMachine(exchange, id, machine -> {
                    if (!machine.suspend()) {
                        answer(exchange, 412, error("machine is " + machine.state() + ", only a started machine suspends"));
                        return;
                    }
                    answer(exchange, 200, JSON.createObjectNode().put("ok", true));
                });
                case METADATA -> withMachine(exchange, id, machine -> {
                    JsonNode body = JSON.readTree(exchange.getRequestBody());
                    if (rest.length != 4 || !body.path("value").isString()) {
                        answer(exchange, 400, error("metadata needs a key in the path and {\"value\": …}"));
                        return;
                    }
                    machine.tag(URLDecoder.decode(rest[3], StandardCharsets.UTF_8), body.path("value").asString());
                    exchange.sendResponseHeaders(204, -1);
                });
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
            case "POST suspend" -> Action.SUSPEND;
            case "POST metadata" -> Action.METADATA;
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
        if (!config.path("metadata").isObject()) {
            ((ObjectNode) config).set("metadata", JSON.createObjectNode());
        }
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
                    filter.getValue().equals(machine.metadata(filter.getKey())))) {
                found.add(machine.toJson());
            }
        }
        answer(exchange, 200, found);
    }

    /**
     * Long poll: answers when the machine is in the requested {@code state} ({@code started} by default), or 408 when
     * the requested timeout passes first.
     */
    private void await(HttpExchange exchange, SimulatedMachine machine) throws IOException {
        long timeoutSeconds = 60;
        String state = "started";
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("timeout=")) {
                    timeoutSeconds = Long.parseLong(pair.substring("timeout=".length()));
                } else if (pair.startsWith("state=")) {
                    state = pair.substring("state=".length());
                }
            }
        }
        long wait = machine.reaches(state) - System.nanoTime();
        if (wait > timeoutSeconds * 1_000_000_000L) {
            pause(timeoutSeconds * 1_000_000_000L);
            answer(exchange, 408, error("deadline_exceeded: machine did not reach " + state));
            return;
        }
        pause(wait);
        answer(exchange, 200, JSON.createObjectNode().put("ok", true));
    }

    /**
     * A pooled runtime's claim endpoint: the machine's claim token as the bearer token, the claim's JSON
     * ({@link EditCodec#decodeClaim}); 503 until the machine is started, 409 when another session claimed it already.
     * Every runtime answers on this one port, so the token, each pooled machine's own, says whose runtime is asked
     * (the driver resolves the claim's path against the runtime's base url, which drops the base url's own path).
     */
    private void claim(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        SimulatedMachine machine = machines.values().stream()
                .filter(candidate -> !candidate.destroyed && candidate.poolToken() != null
                        && ("Bearer " + candidate.poolToken()).equals(authorization))
                .findFirst().orElse(null);
        if (machine == null) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            answer(exchange, 401, error("no pooled runtime has this claim token"));
            return;
        }
        MachineClaim claim;
        try {
            claim = EditCodec.decodeClaim(exchange.getRequestBody().readAllBytes());
        } catch (IllegalArgumentException e) {
            answer(exchange, 400, error(e.getMessage()));
            return;
        }
        if (!machine.state().equals("started")) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            answer(exchange, 503, error("not warm yet"));
            return;
        }
        if (!machine.claimFor(claim.sessionId())) {
            answer(exchange, 409, error("claimed by another session"));
            return;
        }
        claims.incrementAndGet();
        long written = claim.files().files().stream().filter(file -> file.content() != null).count();
        answer(exchange, 200, JSON.createObjectNode().put("sessionId", claim.sessionId().toString())
                .put("written", written).put("deleted", claim.files().deleted().size()).put("outcome", "applied"));
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

    /**
     * One machine. Its state moves to {@code target} at {@code reachesAt} (nanoTime) and is {@code before} until
     * then: created → started after the start latency, suspended → started after the resume latency.
     */
    private final class SimulatedMachine {
        final String id;
        final String region;
        final ObjectNode config;
        final Instant createdAt;
        volatile boolean destroyed;
        private String before = "created";
        private String target = "started";
        private long reachesAt;
        private UUID claimedBy;

        SimulatedMachine(String id, String region, ObjectNode config, Instant createdAt, long startsAt) {
            this.id = id;
            this.region = region;
            this.config = config;
            this.createdAt = createdAt;
            this.reachesAt = startsAt;
        }

        synchronized String state() {
            if (destroyed) {
                return "destroyed";
            }
            return System.nanoTime() - reachesAt >= 0 ? target : before;
        }

        /** When the machine is (or will be, as things stand) in {@code state}; far in the future when never. */
        synchronized long reaches(String state) {
            if (state().equals(state)) {
                return System.nanoTime();
            }
            return target.equals(state) ? reachesAt : System.nanoTime() + TimeUnit.HOURS.toNanos(1);
        }

        /** @return the state before the start */
        synchronized String start() {
            String now = state();
            if (now.equals("suspended") || now.equals("stopped")) {
                before = now;
                target = "started";
                reachesAt = System.nanoTime() + (now.equals("suspended") ? resumeLatency : startLatency).toNanos();
            }
            return now;
        }

        synchronized void stop() {
            settle("stopped");
        }

        synchronized boolean suspend() {
            if (!state().equals("started")) {
                return false;
            }
            settle("suspended");
            return true;
        }

        private void settle(String state) {
            before = state;
            target = state;
            reachesAt = System.nanoTime();
        }

        synchronized boolean claimFor(UUID session) {
            if (claimedBy != null && !claimedBy.equals(session)) {
                return false;
            }
            claimedBy = session;
            return true;
        }

        /** The claim token of a pooled machine's runtime, from its environment; null for a session's machine. */
        String poolToken() {
            return config.path("env").path(POOL_TOKEN_ENV).asString(null);
        }

        String metadata(String key) {
            synchronized (config) {
                return config.path("metadata").path(key).asString(null);
            }
        }

        void tag(String key, String value) {
            synchronized (config) {
                ((ObjectNode) config.path("metadata")).put(key, value);
            }
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
            synchronized (config) {
                json.set("config", config.deepCopy());
            }
            return json;
        }
    }

    /** The rate limits in force: a bucket per action for the app, and per action and machine where Fly has one. */
    private static final class Buckets {
        private final Limits limits;
        private final Map<Action, Bucket> app = new EnumMap<>(Action.class);
        private final Map<String, Bucket> machines = new ConcurrentHashMap<>();

        Buckets(Limits limits) {
            this.limits = limits;
            for (Action action : Action.values()) {
                app.put(action, bucket(action));
            }
        }

        boolean take(Action action, String machine) {
            Bucket bucket = action.perMachine() && machine != null
                    ? machines.computeIfAbsent(action + " " + machine, key -> bucket(action))
                    : app.get(action);
            return bucket.tryTake();
        }

        private Bucket bucket(Action action) {
            return action == Action.GET
                    ? new Bucket(limits.getsPerSecond(), limits.getBurst())
                    : new Bucket(limits.actionsPerSecond(), limits.actionBurst());
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
