package dev.velocitypreview.machines.local;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncedFile;

/**
 * Stands in for preview-runtime's pool mode, which is being written beside this driver: launched by the local driver
 * through a {@code java} wrapper in its place, it takes the runtime's options ({@code --port-file}, {@code --bind}),
 * writes its port, answers {@code GET /health} 200, and {@code POST /__velocity/claim} with the contract's statuses
 * (404 without {@code PREVIEW_POOL_TOKEN}, 401 for another token, 400 for a malformed claim, 409 once claimed by
 * another session, else 200 naming the session). Every other request gets 403 until a claim, then the session's id.
 */
public final class StandInPoolRuntime {

    private StandInPoolRuntime() {
    }

    public static void main(String[] args) throws IOException {
        String portFile = null;
        String bind = "127.0.0.1";
        for (String arg : args) {
            if (arg.startsWith("--port-file=")) {
                portFile = arg.substring("--port-file=".length());
            } else if (arg.startsWith("--bind=")) {
                bind = arg.substring("--bind=".length());
            }
        }
        String token = System.getenv("PREVIEW_POOL_TOKEN");
        AtomicReference<MachineClaim> claimed = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, 0), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if ("/health".equals(path)) {
                    answer(exchange, 200, "{\"status\":\"ready\",\"checks\":[]}");
                } else if ("/__velocity/claim".equals(path) && "POST".equals(exchange.getRequestMethod())) {
                    claim(exchange, token, claimed);
                } else if (claimed.get() == null) {
                    answer(exchange, 403, "this machine is in a warm pool and serves no session yet");
                } else {
                    answer(exchange, 200, "session " + claimed.get().sessionId());
                }
            }
        });
        server.start();
        if (portFile != null) {
            Files.writeString(Path.of(portFile), Integer.toString(server.getAddress().getPort()));
        }
    }

    private static void claim(HttpExchange exchange, String token, AtomicReference<MachineClaim> claimed)
            throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (token == null) {
            answer(exchange, 404, "{\"error\":\"not in pool mode\"}");
            return;
        }
        String presented = exchange.getRequestHeaders().getFirst("Authorization");
        if (presented == null || !MessageDigest.isEqual(("Bearer " + token).getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8))) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
            answer(exchange, 401, "{\"error\":\"wrong claim token\"}");
            return;
        }
        MachineClaim claim;
        try {
            claim = EditCodec.decodeClaim(body);
        } catch (RuntimeException e) {
            answer(exchange, 400, "{\"error\":\"malformed claim\"}");
            return;
        }
        if (!claimed.compareAndSet(null, claim) && !claimed.get().sessionId().equals(claim.sessionId())) {
            answer(exchange, 409, "{\"error\":\"claimed by session " + claimed.get().sessionId() + "\"}");
            return;
        }
        long written = claim.files().files().stream().map(SyncedFile::content).filter(content -> content != null).count();
        answer(exchange, 200, "{\"sessionId\":\"" + claim.sessionId() + "\",\"written\":" + written + ",\"deleted\":"
                + claim.files().deleted().size() + ",\"outcome\":\"applied\"}");
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
