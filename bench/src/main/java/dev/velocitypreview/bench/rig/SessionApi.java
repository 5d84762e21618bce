package dev.velocitypreview.bench.rig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The session API as a client sees it: create a session, end it. */
public final class SessionApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final String apiUrl;
    private final URI sessions;

    public SessionApi(HttpClient http, String apiUrl) {
        this.http = http;
        this.apiUrl = apiUrl;
        this.sessions = URI.create(apiUrl + "/v1/sessions");
    }

    /** {@code PUT /v1/projects/{id}/files/{path}?wait=applied}: the answer once every running preview has it. */
    public HttpResponse<String> writeAndWait(String token, UUID projectId, String path, String content)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/projects/" + projectId + "/files/" + path
                                + "?wait=applied"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "text/plain; charset=utf-8")
                        .PUT(HttpRequest.BodyPublishers.ofString(content))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** What a 202 to {@code POST /v1/sessions} says. */
    public record Accepted(UUID sessionId, URI previewUrl, URI statusUrl) {
    }

    /** {@code POST /v1/sessions} for {@code projectId}; anything but 202 is an error naming the answer. */
    public Accepted create(String token, UUID projectId) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(sessions)
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"projectId\":\"" + projectId + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("POST /v1/sessions answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode body = JSON.readTree(response.body());
        return new Accepted(UUID.fromString(body.path("sessionId").asString()),
                URI.create(body.path("previewUrl").asString()), URI.create(body.path("statusUrl").asString()));
    }

    /** {@code DELETE} of the session; the API answers 202 and the provisioner ends it in the background. */
    public void terminate(String token, URI statusUrl) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(statusUrl)
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + token)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("DELETE " + statusUrl + " answered " + response.statusCode() + ": "
                    + response.body());
        }
    }
}
