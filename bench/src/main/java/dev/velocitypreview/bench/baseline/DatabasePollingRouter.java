package dev.velocitypreview.bench.baseline;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The system this platform replaces, as a router: every request looks its session up in PostgreSQL, retrying
 * on a miss with the original schedule (5 attempts, waits of 200, 400, 800 and 1600 ms), then answers
 * {@code 404 {"error":"Session not found"}}. As in the original, a connectivity check runs before each lookup
 * and only {@code ACTIVE} rows count. A found session is proxied to its machine. Kept in the bench module only:
 * it exists to be measured against, and it reads the database the real router never touches.
 */
public final class DatabasePollingRouter implements AutoCloseable {

    /** The waits between the original's 5 attempts: {@code 2^attempt * 100 ms}. */
    public static final List<Duration> RETRY_WAITS = List.of(
            Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600));
    private static final String PREFIX = "/s/";

    private final HikariDataSource database;
    private final HttpServer server;
    private final ExecutorService threads;
    private final HttpClient machines;
    private final AtomicLong lookups = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();

    private DatabasePollingRouter(HikariDataSource database, HttpServer server, ExecutorService threads) {
        this.database = database;
        this.server = server;
        this.threads = threads;
        this.machines = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Listens on a free loopback port, reading sessions from {@code jdbcUrl} through a pool of ten connections. */
    public static DatabasePollingRouter start(String jdbcUrl, String user, String password) throws IOException {
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(jdbcUrl);
        pool.setUsername(user);
        pool.setPassword(password);
        pool.setMaximumPoolSize(10);
        pool.setPoolName("old-way-router");
        HikariDataSource database = new HikariDataSource(pool);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        // each held request sleeps on its thread between attempts, as the original awaited a timer per request
        ExecutorService threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "old-way-router");
            thread.setDaemon(true);
            return thread;
        });
        DatabasePollingRouter router = new DatabasePollingRouter(database, server, threads);
        server.createContext("/", router::handle);
        server.setExecutor(threads);
        server.start();
        return router;
    }

    /** {@code http://127.0.0.1:<port>}; previews are under {@code /s/<session id>/}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Database lookups made so far, health checks not counted. */
    public long lookups() {
        return lookups.get();
    }

    /** Requests answered "Session not found". */
    public long notFound() {
        return notFound.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (!path.startsWith(PREFIX)) {
                answer(exchange, 404, "{\"error\":\"Not found\"}");
                return;
            }
            int end = path.indexOf('/', PREFIX.length());
            String rawId = path.substring(PREFIX.length(), end < 0 ? path.length() : end);
            String rest = end < 0 ? "/" : path.substring(end);
            UUID id;
            try {
                id = UUID.fromString(rawId);
            } catch (IllegalArgumentException e) {
                answer(exchange, 400, "{\"error\":\"Invalid session id\"}");
                return;
            }
            String machineUrl;
            try {
                if (!databaseAnswers()) {
                    answer(exchange, 503, "{\"error\":\"Database connection failed\"}");
                    return;
                }
                machineUrl = lookUpWithRetries(id);
            } catch (SQLException e) {
                answer(exchange, 500, "{\"error\":\"Session routing failed\"}");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer(exchange, 503, "{\"error\":\"Shutting down\"}");
                return;
            }
            if (machineUrl == null) {
                notFound.incrementAndGet();
                answer(exchange, 404, "{\"error\":\"Session not found\",\"sessionId\":\"" + id + "\",\"attempts\":"
                        + (RETRY_WAITS.size() + 1) + "}");
                return;
            }
            proxy(exchange, URI.create(machineUrl + rest));
        }
    }

    private boolean databaseAnswers() throws SQLException {
        try (Connection connection = database.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT id FROM preview_sessions LIMIT 1");
             ResultSet rows = query.executeQuery()) {
            rows.next();
            return true;
        }
    }

    /** The machine url of the ACTIVE session, or null when five attempts did not find one. */
    private String lookUpWithRetries(UUID id) throws SQLException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            String found = lookUp(id);
            if (found != null || attempt == RETRY_WAITS.size()) {
                return found;
            }
            Thread.sleep(RETRY_WAITS.get(attempt).toMillis());
        }
    }

    private String lookUp(UUID id) throws SQLException {
        lookups.incrementAndGet();
        try (Connection connection = database.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT machine_url FROM preview_sessions WHERE id = ? AND status = 'ACTIVE'")) {
            query.setObject(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private void proxy(HttpExchange exchange, URI target) throws IOException {
        HttpResponse<byte[]> response;
        try {
            response = machines.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            answer(exchange, 502, "{\"error\":\"Machine unreachable\"}");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer(exchange, 503, "{\"error\":\"Shutting down\"}");
            return;
        }
        response.headers().firstValue("Content-Type")
                .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
        byte[] body = response.body();
        exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        database.close();
    }
}
