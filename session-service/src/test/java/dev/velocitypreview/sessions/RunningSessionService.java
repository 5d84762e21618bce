package dev.velocitypreview.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The real service on a random port, started the way the launcher starts it, with an HTTP client. */
final class RunningSessionService implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ConfigurableApplicationContext context;
    private final Path stateDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    private RunningSessionService(ConfigurableApplicationContext context, Path stateDir) {
        this.context = context;
        this.stateDir = stateDir;
        this.base = URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
    }

    static RunningSessionService start(String bootstrapServers, Map<String, Object> settings) {
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("session-service-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> properties = new HashMap<>();
        properties.put("server.port", 0);
        properties.put("server.address", "127.0.0.1");
        properties.put("velocity.session-service.kafka.bootstrap-servers", bootstrapServers);
        properties.put("velocity.session-service.directory.instance-id", UUID.randomUUID().toString());
        properties.put("velocity.session-service.directory.state-dir", stateDir.toString());
        properties.putAll(settings);
        return new RunningSessionService(SessionServiceApplication.start(properties), stateDir);
    }

    /** Waits until readiness says the view has caught up. */
    RunningSessionService awaitReady() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(send(request("/actuator/health/readiness").GET()).statusCode()).isEqualTo(200));
        return this;
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** Reads parked in the service's session directory, waiting for a session or a version of it. */
    int directoryWaiting() {
        return context.getBean(dev.velocitypreview.core.directory.SessionDirectory.class).waiting();
    }

    /** One of the running service's beans, for a test that must wait on its state. */
    <T> T bean(String name, Class<T> type) {
        return context.getBean(name, type);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
        FileSystemUtils.deleteRecursively(stateDir.toFile());
    }
}
