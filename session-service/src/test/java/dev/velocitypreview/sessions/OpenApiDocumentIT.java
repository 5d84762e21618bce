package dev.velocitypreview.sessions;

import static dev.velocitypreview.sessions.RunningSessionService.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import dev.velocitypreview.testkit.TestKafka;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v3/api-docs} against the controllers the running service serves: every handler's path and method is
 * in the document, the document has nothing that is not served, and every refusal is the API's problem.
 */
class OpenApiDocumentIT {

    /**
     * Served but deliberately not in the document: the machines' sync (see session-service.yml), errors, itself, and
     * the operator console's page and its data (a browser's, signed in with a cookie: docs/console.md).
     */
    private static final Set<String> UNDOCUMENTED_PREFIXES = Set.of("/machine/", "/error", "/v3/api-docs", "/console");

    private static RunningSessionService service;
    private static JsonNode document;

    @BeforeAll
    static void start() throws IOException {
        service = RunningSessionService.start(TestKafka.shared().bootstrapServers(), Map.of(
                "velocity.session-service.auth.hs256-secret", TestTokens.SECRET,
                "velocity.session-service.preview-token-secret", TestTokens.PREVIEW_SECRET));
        // without a token: it is public documentation
        HttpResponse<String> response = service.send(service.request("/v3/api-docs").GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        document = json(response);
        // kept with the build's output, for a person to read
        Files.writeString(Path.of("target", "openapi.json"), response.body());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void documentIsOpenApi31() {
        assertThat(document.get("openapi").stringValue()).startsWith("3.1");
    }

    @Test
    void everyServedEndpointIsInTheDocumentAndTheDocumentHasNoOther() {
        Set<String> served = new TreeSet<>();
        RequestMappingHandlerMapping mapping = service.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        for (Map.Entry<RequestMappingInfo, HandlerMethod> handler : mapping.getHandlerMethods().entrySet()) {
            for (String path : handler.getKey().getPatternValues()) {
                if (UNDOCUMENTED_PREFIXES.stream().noneMatch(path::startsWith)) {
                    // the files API's rest of the URL is the document's {path}
                    String documented = path.endsWith("/**") ? path.substring(0, path.length() - 3) + "/{path}" : path;
                    handler.getKey().getMethodsCondition().getMethods().forEach(method ->
                            served.add(method.name() + " " + documented));
                }
            }
        }
        Set<String> documented = new TreeSet<>();
        document.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (Set.of("get", "put", "post", "delete", "patch").contains(operation.getKey())) {
                documented.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        assertThat(served).as("handlers found").contains("GET /v1/sessions/{id}/events", "POST /v1/sessions");
        assertThat(documented).containsExactlyInAnyOrderElementsOf(served);
    }

    @Test
    void everyRefusalIsTheProblemAsProblemJson() {
        assertThat(document.at("/components/schemas/Problem/properties/type/pattern").stringValue())
                .startsWith("^urn:velocity-preview:problem:");
        document.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            JsonNode responses = operation.getValue().get("responses");
            assertThat(responses.properties()).as(operation.getKey() + " " + path.getKey())
                    .anySatisfy(response -> assertThat(response.getKey()).startsWith("4"));
            responses.properties().stream().filter(response -> response.getKey().matches("[45][0-9][0-9]"))
                    .forEach(response -> assertThat(response.getValue()
                            .at("/content/application~1problem+json/schema/$ref").stringValue())
                            .as(operation.getKey() + " " + path.getKey() + " " + response.getKey())
                            .isEqualTo("#/components/schemas/Problem"));
        }));
    }

    @Test
    void theDocumentOpensNothingElse() {
        assertThat(service.send(service.request("/v1/sessions").GET()).statusCode()).isEqualTo(401);
        assertThat(service.send(service.request("/v3/api-docs/anything").GET()).statusCode()).isEqualTo(401);
        assertThat(service.send(service.request("/actuator/metrics").GET()).statusCode()).isEqualTo(401);
    }

    @Test
    void theEventStreamAndTheBodiesTheHandlersParseAreDescribed() {
        JsonNode events = document.at("/paths/~1v1~1sessions~1{id}~1events/get");
        assertThat(events.at("/responses/200/content/text~1event-stream").isMissingNode()).isFalse();
        assertThat(events.get("parameters").findValuesAsString("name")).contains("Last-Event-ID");
        assertThat(document.at("/paths/~1v1~1sessions/post/requestBody/content/application~1json/schema/required/0")
                .stringValue()).isEqualTo("projectId");
    }
}
