package dev.velocitypreview.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A client of the session API as a user would call it. */
final class SessionApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    SessionApi(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** What the API answered; {@code status} is -1 when the call itself failed (connection refused, timeout). */
    record Answer(int status, String body, String contentType) {
        UUID sessionId() {
            return UUID.fromString(json().get("sessionId").asString());
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    Answer create(String userId, UUID projectId) {
        return send(userId, HttpRequest.newBuilder(URI.create(baseUrl + "/v1/sessions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"projectId\":\"" + projectId + "\"}")));
    }

    /** A create asking for {@code ttl} (whole seconds). */
    Answer create(String userId, UUID projectId, Duration ttl) {
        return send(userId, HttpRequest.newBuilder(URI.create(baseUrl + "/v1/sessions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"projectId\":\"" + projectId + "\",\"ttl\":"
                        + ttl.toSeconds() + "}")));
    }

    Answer terminate(String userId, UUID sessionId) {
        return send(userId, HttpRequest.newBuilder(URI.create(baseUrl + "/v1/sessions/" + sessionId)).DELETE());
    }

    private Answer send(String userId, HttpRequest.Builder request) {
        Map<String, String> headers = Credentials.headersFor(userId);
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(),
                    response.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            return new Answer(-1, e.toString(), "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the session api", e);
        }
    }
}
