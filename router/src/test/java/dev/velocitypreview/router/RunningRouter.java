package dev.velocitypreview.router;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.WebClient;

import dev.velocitypreview.core.directory.SessionDirectory;

import static org.awaitility.Awaitility.await;

/** A router started the way the launcher starts it, on a free port, against the test broker. */
final class RunningRouter implements AutoCloseable {

    final ConfigurableApplicationContext context;
    final WebClient client;
    final int port;

    private RunningRouter(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
        this.client = WebClient.builder().baseUrl(baseUrl())
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024)).build();
    }

    static RunningRouter start(String bootstrapServers, Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("server.port", 0);
        properties.put("velocity.router.kafka.bootstrap-servers", bootstrapServers);
        properties.putAll(overrides);
        return new RunningRouter(RouterApplication.start(properties));
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    SessionDirectory directory() {
        return context.getBean(SessionDirectory.class);
    }

    HttpStatusCode readiness() {
        return client.get().uri("/actuator/health/readiness").exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode()))
                .block(Duration.ofSeconds(5));
    }

    RunningRouter awaitReady() {
        await().atMost(Duration.ofSeconds(30)).until(() -> readiness().is2xxSuccessful());
        return this;
    }

    @Override
    public void close() {
        context.close();
    }
}
