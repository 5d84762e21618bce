package dev.velocitypreview.router.routing;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.session.SessionView;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * {@link MachineHealth} over HTTP: {@code GET <machine url>/health}, which the preview runtime answers to anyone
 * that reaches it (the provisioner reads it the same way). Only check names and statuses are taken from the answer,
 * and only known ones: the details are the project's output and the machine is untrusted.
 */
final class RuntimeHealthClient implements MachineHealth {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeHealthClient.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> CHECKS = Set.of("files", "install", "dev-server");
    private static final Set<String> STATUSES = Set.of("pending", "running", "ok", "skipped", "failed");
    /** A health answer is a few hundred bytes. */
    private static final int MAX_BYTES = 64 * 1024;

    private final HttpClient http;
    private final Duration timeout;

    RuntimeHealthClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.create().followRedirect(false).responseTimeout(timeout);
    }

    @Override
    public Mono<Map<String, String>> checks(SessionView session) {
        String machineUrl = session.machineUrl();
        if (machineUrl == null) {
            return Mono.empty();
        }
        URI health;
        try {
            health = URI.create(machineUrl).resolve("/health");
        } catch (IllegalArgumentException e) {
            return Mono.empty();
        }
        // the runtime answers 503 while it starts: every status is read
        return http.get().uri(health)
                .responseSingle((response, body) -> body.asByteArray())
                .timeout(timeout)
                .filter(bytes -> bytes.length <= MAX_BYTES)
                .map(RuntimeHealthClient::parse)
                .filter(checks -> !checks.isEmpty())
                .onErrorResume(e -> {
                    LOG.atDebug().addKeyValue("session", session.id()).addKeyValue("cause", e.toString())
                            .log("machine health not read");
                    return Mono.empty();
                });
    }

    static Map<String, String> parse(byte[] body) {
        Map<String, String> checks = new LinkedHashMap<>();
        JsonNode all = JSON.readTree(body).path("checks");
        for (JsonNode check : all) {
            String name = check.path("name").asString("");
            String status = check.path("status").asString("");
            if (CHECKS.contains(name) && STATUSES.contains(status)) {
                checks.put(name, status);
            }
        }
        return checks;
    }
}
