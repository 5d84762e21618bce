package dev.velocitypreview.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.testkit.LoopbackPreviews;

import static org.assertj.core.api.Assertions.assertThat;

/** The session API and the previews of a running {@link EmbeddedPlatform}, as a free-tier user with a bearer token sees them. */
final class PlatformApi {

    private static final HttpClient HTTP = HttpClient.newBuilder().proxy(LoopbackPreviews.SELECTOR)
            .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

    private final EmbeddedPlatform platform;
    /** How long one answer may take: a held preview comes back only once its machine is ready. */
    private final Duration patience;

    PlatformApi(EmbeddedPlatform platform, Duration patience) {
        this.platform = platform;
        this.patience = patience;
    }

    HttpResponse<String> post(String user, String path, String json, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(platform.apiUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return send(user, request);
    }

    /** As a {@code tier} user, for what the free tier may not have (a template needing a larger machine). */
    HttpResponse<String> post(String user, Tier tier, String path, String json) throws Exception {
        String token = platform.apiToken(user, Set.of(), tier, Duration.ofHours(1));
        return HTTP.send(HttpRequest.newBuilder(URI.create(platform.apiUrl() + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(patience).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code PUT} of a raw body, as the files API takes a file's content. */
    HttpResponse<String> put(String user, String path, String body) throws Exception {
        return send(user, HttpRequest.newBuilder(URI.create(platform.apiUrl() + path))
                .header("Content-Type", "text/plain; charset=utf-8")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> get(String user, String url) throws Exception {
        return send(user, HttpRequest.newBuilder(URI.create(url)).GET());
    }

    HttpResponse<String> send(String user, HttpRequest.Builder request) throws Exception {
        return send(user, Set.of(), request);
    }

    /** As {@code user} holding {@code roles} (for example the operators' {@code admin}). */
    HttpResponse<String> send(String user, Set<String> roles, HttpRequest.Builder request) throws Exception {
        String token = platform.apiToken(user, roles, Tier.FREE, Duration.ofHours(1));
        return HTTP.send(request.header("Authorization", "Bearer " + token).timeout(patience).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The session's event stream ({@code GET /v1/sessions/{id}/events}), read whole: it completes once the server
     * closed the stream, after a terminal status. No request timeout: the stream lasts as long as the session.
     */
    CompletableFuture<HttpResponse<String>> events(String user, String sessionId) {
        return events(user, sessionId, null);
    }

    /** The same stream resumed after the event {@code lastEventId}, as a reconnecting {@code EventSource} asks. */
    CompletableFuture<HttpResponse<String>> events(String user, String sessionId, Long lastEventId) {
        String token = platform.apiToken(user, Set.of(), Tier.FREE, Duration.ofHours(1));
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(platform.apiUrl() + "/v1/sessions/" + sessionId + "/events"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", Long.toString(lastEventId));
        }
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What someone without any token gets. */
    HttpResponse<String> sendAnonymously(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(patience).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A string member of a JSON answer; fails the test when there is none. */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        assertThat(m.find()).as("field " + name + " in " + json).isTrue();
        return m.group(1);
    }
}
