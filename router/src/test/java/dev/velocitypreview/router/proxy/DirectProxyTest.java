package dev.velocitypreview.router.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.router.RouterProperties;
import dev.velocitypreview.router.routing.DirectRoutesFixture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fast path on a real Reactor Netty server, with a handler of its own standing in for WebFlux (it answers
 * {@code X-Fallback: webflux}): what it takes goes to a real machine server, what it does not reaches that handler.
 */
class DirectProxyTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration BLOCK = Duration.ofSeconds(10);
    private static final int LARGE = 4 * 1024 * 1024;
    private static final java.util.regex.Pattern ANSWER = java.util.regex.Pattern.compile(
            "hello|fallback /elsewhere|fallback /s/[^ ]+/small");

    private final DirectRoutesFixture fixture = new DirectRoutesFixture();
    private final AtomicInteger machineConnections = new AtomicInteger();
    private final CompletableFuture<Void> releaseSecond = new CompletableFuture<>();
    private final DisposableServer machine = HttpServer.create().host("127.0.0.1").port(0)
            .doOnChannelInit((observer, channel, address) -> machineConnections.incrementAndGet())
            .route(routes -> routes
                    .get("/small", (request, response) -> response.header("Content-Type", "text/plain")
                            .sendString(Mono.just("hello")))
                    .get("/closing", (request, response) -> response.header("Connection", "close")
                            .sendString(Mono.just("bye")))
                    .get("/large", (request, response) -> response.sendByteArray(Flux.range(0, LARGE / 8192)
                            .map(i -> chunk(i))))
                    .get("/drip", (request, response) -> response.sendString(Flux.concat(Mono.just("first\n"),
                            Mono.fromFuture(releaseSecond).thenReturn("second\n"))))
                    .route(request -> true, (request, response) -> {
                        Map<String, Object> echo = new LinkedHashMap<>();
                        echo.put("method", request.method().name());
                        echo.put("uri", request.uri());
                        Map<String, String> headers = new LinkedHashMap<>();
                        request.requestHeaders().forEach(header -> headers.merge(header.getKey().toLowerCase(),
                                header.getValue(), (a, b) -> a + "," + b));
                        echo.put("headers", headers);
                        return response.header("Content-Type", "application/json")
                                .header("Cache-Control", "public, max-age=60")
                                .addHeader("Set-Cookie", "app=1; Path=/")
                                .addHeader("Set-Cookie", "vp_preview_00000000=tossed; Path=/")
                                .header("Connection", "X-Backend-Hop")
                                .header("X-Backend-Hop", "secret")
                                .sendByteArray(Mono.just(JSON.writeValueAsBytes(echo)));
                    }))
            .bindNow();
    private final DirectProxy proxy = new DirectProxy(RouterProperties.Mode.PROXY, Duration.ofSeconds(5), fixture.routes());
    private final DisposableServer router = proxy.apply(HttpServer.create().host("127.0.0.1").port(0))
            .handle((request, response) -> response.header("X-Fallback", "webflux")
                    .sendString(request.receive().aggregate().asString().defaultIfEmpty("")
                            .map(body -> "fallback " + request.uri() + " " + body)))
            .bindNow();
    private final ConnectionProvider oneConnection = ConnectionProvider.create("direct-proxy-test", 1);
    private final HttpClient client = HttpClient.create(oneConnection).baseUrl("http://127.0.0.1:" + router.port());

    @AfterEach
    void stop() {
        oneConnection.disposeLater().block(BLOCK);
        router.disposeNow();
        proxy.close();
        machine.disposeNow();
    }

    @Test
    void aRequestForAnActiveSessionIsRelayedToItsMachineOnAKeptAliveConnection() {
        UUID id = UUID.randomUUID();
        fixture.active(id, 3, machineUrl());

        for (int i = 0; i < 3; i++) {
            Answer answer = get("/s/" + id + "/small");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("hello");
            assertThat(answer.headers().get("X-Fallback")).isNull();
            assertThat(answer.headers().get("Content-Type")).isEqualTo("text/plain");
        }

        assertThat(machineConnections).as("one kept-alive connection to the machine").hasValue(1);
        // the client may have the last answer an instant before its forward is counted as ended
        await().untilAsserted(() -> assertThat(fixture.useEvents()).containsExactly("began:" + id, "ended:" + id,
                "began:" + id, "ended:" + id, "began:" + id, "ended:" + id));
        assertThat(fixture.forwards("forwarded")).isEqualTo(3);
    }

    @Test
    void aSessionOnANewMachineIsRelayedToTheNewMachineAndItsOldOneIsNotAskedAgain() {
        AtomicInteger newMachineConnections = new AtomicInteger();
        DisposableServer newMachine = HttpServer.create().host("127.0.0.1").port(0)
                .doOnChannelInit((observer, channel, address) -> newMachineConnections.incrementAndGet())
                .route(routes -> routes.get("/small", (request, response) -> response.sendString(Mono.just("moved"))))
                .bindNow();
        try {
            UUID id = UUID.randomUUID();
            fixture.active(id, 3, machineUrl());
            assertThat(get("/s/" + id + "/small").body()).isEqualTo("hello");

            fixture.active(id, 4, "http://127.0.0.1:" + newMachine.port());
            for (int i = 0; i < 2; i++) {
                assertThat(get("/s/" + id + "/small").body()).isEqualTo("moved");
            }
            // and back: a machine URL seen before is not remembered as it was
            fixture.active(id, 5, machineUrl());
            assertThat(get("/s/" + id + "/small").body()).isEqualTo("hello");

            assertThat(machineConnections).as("the old machine's kept-alive connection, used again").hasValue(1);
            assertThat(newMachineConnections).hasValue(1);
        } finally {
            newMachine.disposeNow();
        }
    }

    @Test
    void whatTheFastPathDoesNotTakeGoesOnToWebFluxInOrder() {
        UUID active = UUID.randomUUID();
        UUID suspended = UUID.randomUUID();
        UUID privateOne = UUID.randomUUID();
        fixture.active(active, 3, machineUrl());
        fixture.suspended(suspended, 4, machineUrl());
        fixture.privateActive(privateOne, 3, machineUrl());

        assertThat(get("/s/" + UUID.randomUUID() + "/small").body()).startsWith("fallback /s/");
        assertThat(get("/s/" + suspended + "/small").body()).isEqualTo("fallback /s/" + suspended + "/small ");
        assertThat(get("/s/" + privateOne + "/small").body()).startsWith("fallback");
        assertThat(get("/s/" + active + "/__velocity/status").body()).startsWith("fallback");
        assertThat(get("/actuator/health").body()).isEqualTo("fallback /actuator/health ");
        Answer upload = client.post().uri("/s/" + active + "/small")
                .send(Mono.just(io.netty.buffer.Unpooled.copiedBuffer("a body", StandardCharsets.UTF_8)))
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> new Answer(response.status().code(), response.responseHeaders(), text)))
                .block(BLOCK);
        assertThat(upload.body()).isEqualTo("fallback /s/" + active + "/small a body");
        // and the fast path still takes the next one on the same connection
        assertThat(get("/s/" + active + "/small").body()).isEqualTo("hello");
        await().untilAsserted(() -> assertThat(fixture.useEvents()).containsExactly("began:" + active, "ended:" + active));
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheOrderTheyWereSentWhoeverAnswersThem() throws IOException {
        UUID id = UUID.randomUUID();
        fixture.active(id, 3, machineUrl());
        String fast = "GET /s/" + id + "/small HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        String other = "GET /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), router.port())) {
            socket.setSoTimeout(Math.toIntExact(BLOCK.toMillis()));
            socket.getOutputStream().write((fast + other + fast + other).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[8192];
            List<String> answers = List.of();
            while (answers.size() < 4) {
                int read = socket.getInputStream().read(buffer);
                assertThat(read).as("answers so far: " + received).isPositive();
                received.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
                answers = ANSWER.matcher(received).results().map(java.util.regex.MatchResult::group).toList();
            }
            // the second fast one comes while the other is still WebFlux's: it may answer that one too, in turn
            assertThat(answers.get(0)).isEqualTo("hello");
            assertThat(answers.get(1)).isEqualTo("fallback /elsewhere");
            assertThat(answers.get(2)).isIn("hello", "fallback /s/" + id + "/small");
            assertThat(answers.get(3)).isEqualTo("fallback /elsewhere");
        }
    }

    @Test
    void requestAndResponseHeadersAreRewrittenAsTheProxyRewritesThem() {
        UUID id = UUID.randomUUID();
        fixture.active(id, 3, machineUrl());

        Answer answer = client.headers(headers -> headers
                        .set("Connection", "keep-alive, X-Client-Hop")
                        .set("X-Client-Hop", "secret")
                        .set("Keep-Alive", "timeout=5")
                        .set("Proxy-Authorization", "Basic c2VjcmV0")
                        .set("X-Custom", "kept")
                        .set("X-Forwarded-For", "203.0.113.9")
                        .set("Cookie", "theme=dark; vp_preview_" + id.toString().substring(0, 8) + "=token; b=2"))
                .get().uri("/s/" + id + "/api/echo?q=a%20b&preview_token=x&y=1")
                .responseSingle((response, body) -> body.asString()
                        .map(text -> new Answer(response.status().code(), response.responseHeaders(), text)))
                .block(BLOCK);

        assertThat(answer.status()).isEqualTo(200);
        JsonNode echo = JSON.readTree(answer.body());
        JsonNode headers = echo.get("headers");
        assertThat(echo.get("uri").asString()).isEqualTo("/api/echo?q=a%20b&y=1");
        assertThat(headers.get("x-custom").asString()).isEqualTo("kept");
        assertThat(headers.has("x-client-hop")).isFalse();
        assertThat(headers.has("keep-alive")).isFalse();
        assertThat(headers.has("proxy-authorization")).isFalse();
        assertThat(headers.get("cookie").asString()).isEqualTo("theme=dark; b=2");
        assertThat(headers.get("host").asString()).isEqualTo("127.0.0.1:" + machine.port());
        assertThat(headers.get("x-forwarded-for").asString()).isEqualTo("203.0.113.9, 127.0.0.1");
        assertThat(headers.get("x-forwarded-proto").asString()).isEqualTo("http");
        assertThat(headers.get("x-forwarded-host").asString()).isEqualTo("127.0.0.1:" + router.port());
        assertThat(headers.get("x-forwarded-prefix").asString()).isEqualTo("/s/" + id);
        assertThat(answer.headers().contains("X-Backend-Hop")).isFalse();
        assertThat(answer.headers().getAll("Set-Cookie")).containsExactly("app=1; Path=/");
        assertThat(answer.headers().get("Cache-Control")).isEqualTo("public, max-age=60");
    }

    @Test
    void aMachineThatClosesItsConnectionsIsAskedOnANewOneAndOneThatIsGoneIsABadGateway() throws IOException {
        UUID id = UUID.randomUUID();
        fixture.active(id, 3, machineUrl());
        for (int i = 0; i < 3; i++) {
            assertThat(get("/s/" + id + "/closing").body()).isEqualTo("bye");
        }
        assertThat(machineConnections).hasValue(3);

        UUID gone = UUID.randomUUID();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        fixture.active(gone, 3, "http://127.0.0.1:" + closedPort);
        Answer unreachable = get("/s/" + gone + "/");

        assertThat(unreachable.status()).isEqualTo(502);
        assertThat(unreachable.headers().get("Content-Type")).isEqualTo("application/problem+json");
        JsonNode problem = JSON.readTree(unreachable.body());
        assertThat(problem.get("code").asString()).isEqualTo("machine_unreachable");
        assertThat(problem.get("detail").asString()).contains(gone.toString());
        assertThat(fixture.forwards("machine_unreachable")).isEqualTo(1);
        // the client's connection is still good
        assertThat(get("/s/" + id + "/small").body()).isEqualTo("hello");
    }

    @Test
    void aKeptAliveMachineConnectionClosedWhileIdleIsReplacedWithoutTheClientNoticing() throws Exception {
        UUID id = UUID.randomUUID();
        try (ServerSocket oneAnswerEach = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            fixture.active(id, 3, "http://127.0.0.1:" + oneAnswerEach.getLocalPort());
            // a machine that answers with keep-alive, then drops the connection after the answer
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket socket = oneAnswerEach.accept()) {
                        readHead(socket);
                        socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });

            assertThat(get("/s/" + id + "/").body()).isEqualTo("ok");
            assertThat(get("/s/" + id + "/").body()).isEqualTo("ok");
            serving.get(BLOCK.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void aLargeResponseIsStreamedToTheClientAsTheMachineSendsIt() {
        UUID id = UUID.randomUUID();
        fixture.active(id, 3, machineUrl());

        byte[] body = client.get().uri("/s/" + id + "/large").responseSingle((response, content) -> content.asByteArray())
                .block(BLOCK);
        List<String> lines = client.get().uri("/s/" + id + "/drip").response((response, content) -> content.asString()
                        .doOnNext(line -> releaseSecond.complete(null)))
                .collectList().block(BLOCK);

        assertThat(body).hasSize(LARGE);
        for (int i = 0; i < LARGE / 8192; i++) {
            assertThat(Arrays.copyOfRange(body, i * 8192, (i + 1) * 8192)).as("chunk " + i).isEqualTo(chunk(i));
        }
        assertThat(String.join("", lines)).isEqualTo("first\nsecond\n");
    }

    @Test
    void aSessionThatLeavesItsMachineBeforeItAnswersIsDecidedAgainByWebFlux() throws Exception {
        UUID id = UUID.randomUUID();
        try (ServerSocket frozen = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String frozenUrl = "http://127.0.0.1:" + frozen.getLocalPort();
            fixture.active(id, 3, frozenUrl);
            CompletableFuture<Answer> caught = client.get().uri("/s/" + id + "/page")
                    .responseSingle((response, body) -> body.asString()
                            .map(text -> new Answer(response.status().code(), response.responseHeaders(), text)))
                    .toFuture();
            try (Socket forwarded = frozen.accept()) {
                assertThat(caught).isNotDone();
                fixture.suspended(id, 4, frozenUrl);

                assertThat(caught.get(BLOCK.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).body())
                        .isEqualTo("fallback /s/" + id + "/page ");
            }
        }
        await().until(() -> fixture.forwards("left_machine") == 1);
        assertThat(fixture.useEvents()).containsExactly("began:" + id, "ended:" + id);
    }

    private Answer get(String path) {
        return client.get().uri(path).responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> new Answer(response.status().code(), response.responseHeaders(), text)))
                .block(BLOCK);
    }

    private String machineUrl() {
        return "http://127.0.0.1:" + machine.port();
    }

    private static byte[] chunk(int index) {
        byte[] chunk = new byte[8192];
        Arrays.fill(chunk, (byte) ('a' + index % 26));
        return chunk;
    }

    private static void readHead(Socket socket) throws IOException {
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int b = socket.getInputStream().read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
    }

    private record Answer(int status, HttpHeaders headers, String body) {
    }
}
