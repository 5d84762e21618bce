package dev.velocitypreview.runtime;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.velocitypreview.core.http.MediaTypes;
import dev.velocitypreview.runtime.PreviewFront.Answer;

/**
 * Answers with the materialized files: {@code /} and directories answer with their {@code index.html},
 * nothing outside the work directory is ever read (links included), and there are no directory
 * listings. The front writes the answers; a file is read whole, as the runtime's limits keep each one small
 * ({@code --max-file-bytes}), so an answer is one consistent version of it.
 */
final class StaticFileServer {

    private static final String TEXT = "text/plain; charset=utf-8";

    private final Path root;

    /** @param root the real path of the work directory */
    StaticFileServer(Path root) {
        this.root = root;
    }

    Answer answer(String method, ProjectRequest request) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return new Answer(405, TEXT, bytes("method not allowed\n"), Map.of("Allow", "GET, HEAD"));
        }
        String requestPath = request.path();
        Path target = resolve(requestPath);
        if (target == null) {
            return notFound();
        }
        if (Files.isDirectory(target)) {
            if (!requestPath.endsWith("/")) {
                // relative, so the redirect still works behind a router that strips a path prefix
                String location = "./" + encodedName(target) + "/";
                String query = request.rawQuery();
                return new Answer(302, TEXT, bytes("moved to " + location + "\n"),
                        Map.of("Location", location + (query == null ? "" : "?" + query)));
            }
            target = target.resolve("index.html");
        }
        if (!Files.isRegularFile(target) || !target.toRealPath().startsWith(root)) {
            return notFound();
        }
        return new Answer(200, contentType(target.getFileName().toString()), Files.readAllBytes(target),
                Map.of("Cache-Control", "no-cache"));
    }

    /** Text as UTF-8 (what web projects write), anything not known as bytes. */
    private static String contentType(String fileName) {
        return MediaTypes.of(fileName).map(type -> type.startsWith("text/") ? type + "; charset=utf-8" : type)
                .orElse("application/octet-stream");
    }

    private static Answer notFound() {
        return new Answer(404, TEXT, bytes("not found\n"), Map.of());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
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
