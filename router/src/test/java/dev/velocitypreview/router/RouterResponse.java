package dev.velocitypreview.router;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.WebClient;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What a router answered, read whole; for the router's integration tests. */
record RouterResponse(HttpStatusCode status, HttpHeaders headers, String body) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    JsonNode json() {
        return JSON.readTree(body);
    }

    static Mono<RouterResponse> exchange(WebClient.RequestHeadersSpec<?> request) {
        return request.exchangeToMono(r -> r.bodyToMono(String.class).defaultIfEmpty("")
                .map(body -> new RouterResponse(r.statusCode(), r.headers().asHttpHeaders(), body)));
    }
}
