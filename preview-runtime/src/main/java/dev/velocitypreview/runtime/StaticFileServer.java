package dev.velocitypreview.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpExchange;

/**
 * Serves the materialized files: {@code /} and directories answer with their {@code index.html},
 * nothing outside the work directory is ever read (links included), and there are no directory
 * listings.
 */
final class StaticFileServer {

    private final Path root;

    /** @param root the real path of the work directory */
    StaticFileServer(Path root) {
        this.root = root;
    }

    /** Answers one request; the caller closes the exchange. */
    void serve(HttpExchange exchange, ProjectRequest request) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            Responses.text(exchange, 405, "method not allowed\n");
            return;
        }
        String requestPath = request.path();
        Path target = resolve(requestPath);
        if (target == null) {
            Responses.text(exchange, 404, "not found\n");
            return;
        }
        if (Files.isDirectory(target)) {
            if (!requestPath.endsWith("/")) {
                // relative, so the redirect still works behind a router that strips a path prefix
                String location = "./" + encodedName(target) + "/";
                String query = request.rawQuery();
                exchange.getResponseHeaders().set("Location", location + (query == null ? "" : "?" + query));
                Responses.text(exchange, 302, "moved to " + location + "\n");
                return;
            }
            target = target.resolve("index.html");
        }
        if (!Files.isRegularFile(target) || !target.toRealPath().startsWith(root)) {
            Responses.text(exchange, 404, "not found\n");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", ContentTypes.of(target.getFileName().toString()));
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        long size = Files.size(target);
        if (method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        // 0 would mean "chunked" to HttpServer; -1 means "no body"
        exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
        try (OutputStream body = exchange.getResponseBody()) {
            Files.copy(target, body);
        }
    }

    private static String encodedName(Path directory) {
        try {
            return new URI(null, null, directory.getFileName().toString(), null).getRawPath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("a file name is always a valid URI path: " + e.getMessage(), e);
        }
    }

    /** The file or directory a request path names inside the root, or null when it cannot name one. */
    private Path resolve(String requestPath) {
        Path path = root;
        for (String segment : requestPath.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..") || segment.indexOf('\\') >= 0 || segment.chars().anyMatch(Character::isISOControl)) {
                return null;
            }
            path = path.resolve(segment);
        }
        if (!Files.exists(path)) {
            return null;
        }
        try {
            return path.toRealPath().startsWith(root) ? path : null;
        } catch (IOException e) {
            return null;
        }
    }
}
