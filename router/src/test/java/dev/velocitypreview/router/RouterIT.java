package dev.velocitypreview.router;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** The router against a real broker and a real machine server: holds, answers, proxies HTTP and WebSockets. */
class RouterIT {

    private static final Duration MAX_HOLD = Duration.ofSeconds(2);
    // Most tests publish a row and ask at once, as a client that was just told its session exists would: the
    // grace has to cover the directory catching up on a loaded machine (500 ms did not, under load).
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final Duration BLOCK = Duration.ofSeconds(20);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "router-it-preview-token-secret-0123456789";
    private static final PreviewToken TOKENS = new PreviewToken(SECRET);

    private static MachineServer machine;
    private static SessionLog log;
    private static RunningRouter router;

    @BeforeAll
    static void start() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        machine = new MachineServer();
        log = new SessionLog(bootstrap);
        router = RunningRouter.start(bootstrap, Map.of(
                "velocity.router.max-hold", MAX_HOLD.toMillis() + "ms",
                "velocity.router.unknown-grace", GRACE.toMillis() + "ms",
                "velocity.router.preview-token-secret", SECRET,
                "velocity.router.kafka.application-id", "router-it")).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(router, log, machine);
    }

    @Test
    void heldRequestIsServedWhenSessionBecomesActive() {
        UUID id = UUID.randomUUID();
        log.create(id);

        CompletableFuture<RouterResponse> response = get("/s/" + id + "/index.html?v=1").toFuture();
        await().until(() -> router.directory().waiting() > 0);
        log.row(id, SessionStatus.PROVISIONING, 1);
        log.row(id, SessionStatus.STARTING, 2);
        assertThat(response).isNotDone();
        log.active(id, 3, machine.url());

        RouterResponse served = response.join();
        assertThat(served.status()).isEqualTo(HttpStatus.OK);
        assertThat(served.json().get("uri").asString()).isEqualTo("/index.html?v=1");
        assertThat(served.headers().getFirst("X-Machine")).isEqualTo("yes");
    }

    @Test
    void unknownSessionIsNotFoundAfterTheGrace() {
        UUID id = UUID.randomUUID();

        long started = System.nanoTime();
        RouterResponse response = get("/s/" + id + "/").block(BLOCK);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(GRACE);
        assertProblem(response, HttpStatus.NOT_FOUND, id);
        assertThat(response.json().get("title").asString()).isEqualTo("no such session");
    }

    @Test
    void requestedSessionThatNeverBecomesActiveGetsGatewayTimeoutNamingItsState() {
        UUID id = UUID.randomUUID();
        log.create(id);

        long started = System.nanoTime();
        RouterResponse response = get("/s/" + id + "/").block(BLOCK);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(MAX_HOLD);
        assertProblem(response, HttpStatus.GATEWAY_TIMEOUT, id);
        assertThat(response.json().get("detail").asString()).contains("REQUESTED");
        assertThat(response.json().get("sessionStatus").asString()).isEqualTo("REQUESTED");
    }

    @Test
    void holdRunsOutNamingTheStateTheSessionGotTo() {
        UUID id = UUID.randomUUID();
        log.create(id);
        log.row(id, SessionStatus.PROVISIONING, 1);

        RouterResponse response = get("/s/" + id + "/").block(BLOCK);

        assertProblem(response, HttpStatus.GATEWAY_TIMEOUT, id);
        assertThat(response.json().get("sessionStatus").asString()).isEqualTo("PROVISIONING");
    }

    @Test
    void terminatedSessionIsGoneWithItsReason() {
        UUID id = UUID.randomUUID();
        log.create(id);
        log.active(id, 3, machine.url());
        log.row(SessionLog.view(id, SessionStatus.STOPPING, 4, "user", null, machine.url()));
        log.row(SessionLog.view(id, SessionStatus.TERMINATED, 5, "user", null, null));
        await().until(() -> router.directory().lookup(id).map(v -> v.version() == 5).orElse(false));

        RouterResponse response = get("/s/" + id + "/").block(BLOCK);

        assertProblem(response, HttpStatus.GONE, id);
        assertThat(response.json().get("title").asString()).isEqualTo("preview was terminated");
        assertThat(response.json().get("detail").asString()).contains("user");
    }

    @Test
    void failedSessionIsBadGatewayWithItsError() {
        UUID id = UUID.randomUUID();
        log.create(id);
        log.row(SessionLog.view(id, SessionStatus.FAILED, 2, null, "runtime refused file ../etc/passwd", null));

        RouterResponse response = get("/s/" + id + "/").block(BLOCK);

        assertProblem(response, HttpStatus.BAD_GATEWAY, id);
        assertThat(response.json().get("detail").asString()).contains("runtime refused file ../etc/passwd");
    }

    @Test
    void staleVersionsAreIgnored() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        RecordMetadata stale = log.row(id, SessionStatus.STARTING, 2);
        // A row behind the stale one in its partition: once it is visible, the stale one was processed.
        UUID marker = UUID.randomUUID();
        log.rowInPartition(SessionLog.view(marker, SessionStatus.REQUESTED, 0, null, null, null), stale.partition());
        await().until(() -> router.directory().lookup(marker).isPresent());

        RouterResponse response = get("/s/" + id + "/").block(BLOCK);

        assertThat(response.status()).isEqualTo(HttpStatus.OK);
        assertThat(router.directory().lookup(id)).hasValueSatisfying(view -> assertThat(view.version()).isEqualTo(3));
    }

    @Test
    void aCreateReadAfterTheSessionEndedDoesNotBringItBack() {
        UUID id = UUID.randomUUID();
        log.row(SessionLog.view(id, SessionStatus.TERMINATED, 5, "user", null, null));
        await().until(() -> router.directory().lookup(id).map(view -> view.status() == SessionStatus.TERMINATED)
                .orElse(false));

        // the two topics are read independently, so a CREATE may well come after the last row; a
        // second CREATE behind it in its partition tells when it was read
        RecordMetadata late = log.createInPartition(id, 0);
        UUID marker = UUID.randomUUID();
        log.createInPartition(marker, late.partition());
        await().until(() -> router.directory().lookup(marker).isPresent());

        assertThat(router.directory().lookup(id)).hasValueSatisfying(view ->
                assertThat(view.status()).isEqualTo(SessionStatus.TERMINATED));
        assertProblem(get("/s/" + id + "/").block(BLOCK), HttpStatus.GONE, id);
    }

    @Test
    void sessionServedBeforeIsGoneAsSoonAsItsTerminationArrives() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        assertThat(get("/s/" + id + "/").block(BLOCK).status()).isEqualTo(HttpStatus.OK);

        RecordMetadata terminated = log.row(SessionLog.view(id, SessionStatus.TERMINATED, 4, "user", null, null));
        // A row behind it in its partition: once that one is visible, the termination was processed.
        UUID marker = UUID.randomUUID();
        log.rowInPartition(SessionLog.view(marker, SessionStatus.REQUESTED, 0, null, null, null), terminated.partition());
        await().until(() -> router.directory().lookup(marker).isPresent());

        assertProblem(get("/s/" + id + "/").block(BLOCK), HttpStatus.GONE, id);
    }

    @Test
    void machineThatDoesNotAnswerIsBadGatewayNamingTheSession() throws IOException {
        UUID id = UUID.randomUUID();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        log.active(id, 3, "http://127.0.0.1:" + closedPort);

        RouterResponse response = get("/s/" + id + "/").block(BLOCK);

        assertProblem(response, HttpStatus.BAD_GATEWAY, id);
        assertThat(response.json().get("detail").asString()).contains(id.toString());
    }

    @Test
    void pathWithoutTrailingSlashIsRedirectedAndMalformedIdIsRejected() {
        UUID id = UUID.randomUUID();

        RouterResponse redirect = get("/s/" + id + "?x=1").block(BLOCK);
        RouterResponse malformed = get("/s/not%0d%0aan-id/").block(BLOCK);

        assertThat(redirect.status()).isEqualTo(HttpStatus.PERMANENT_REDIRECT);
        assertThat(redirect.headers().getLocation()).isEqualTo(URI.create("/s/" + id + "/?x=1"));
        assertThat(malformed.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(malformed.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(malformed.headers().containsHeader(PreviewHeaders.SESSION_ID)).isFalse();
    }

    @Test
    void hopByHopHeadersAreStrippedAndForwardedHeadersSet() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());

        RouterResponse response = exchange(router.client.post().uri(URI.create(router.baseUrl() + "/s/" + id + "/api/echo?q=a%20b"))
                .header(HttpHeaders.CONNECTION, "keep-alive, X-Client-Hop")
                .header("X-Client-Hop", "secret")
                .header("Keep-Alive", "timeout=5")
                .header("Proxy-Authorization", "Basic c2VjcmV0")
                .header("X-Custom", "kept")
                .header(PreviewHeaders.FORWARDED_FOR, "203.0.113.9")
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue("hello machine")).block(BLOCK);

        assertThat(response.status()).isEqualTo(HttpStatus.OK);
        JsonNode echo = response.json();
        JsonNode headers = echo.get("headers");
        assertThat(echo.get("method").asString()).isEqualTo("POST");
        assertThat(echo.get("uri").asString()).isEqualTo("/api/echo?q=a%20b");
        assertThat(echo.get("body").asString()).isEqualTo("hello machine");
        assertThat(headers.get("x-custom").asString()).isEqualTo("kept");
        assertThat(headers.has("x-client-hop")).isFalse();
        assertThat(headers.has("keep-alive")).isFalse();
        assertThat(headers.has("proxy-authorization")).isFalse();
        assertThat(headers.get("host").asString()).isEqualTo(URI.create(machine.url()).getAuthority());
        assertThat(headers.get("x-forwarded-for").asString()).isEqualTo("203.0.113.9, 127.0.0.1");
        assertThat(headers.get("x-forwarded-proto").asString()).isEqualTo("http");
        assertThat(headers.get("x-forwarded-host").asString()).isEqualTo("127.0.0.1:" + router.port);
        assertThat(headers.get("x-forwarded-prefix").asString()).isEqualTo("/s/" + id);
        assertThat(response.headers().containsHeader("X-Backend-Hop")).isFalse();
        assertThat(response.headers().containsHeader("Proxy-Backend")).isFalse();
        assertThat(response.headers().getFirst("X-Machine")).isEqualTo("yes");
    }

    @Test
    void hostStyleRequestGoesToTheMachineWithItsWholePath() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        String host = id + ".preview.localhost:" + router.port;

        RouterResponse response = exchange(router.client.get().uri("/s/other/page").header(HttpHeaders.HOST, host))
                .block(BLOCK);

        assertThat(response.status()).isEqualTo(HttpStatus.OK);
        assertThat(response.json().get("uri").asString()).isEqualTo("/s/other/page");
        assertThat(response.json().get("headers").get("x-forwarded-host").asString()).isEqualTo(host);
        assertThat(response.json().get("headers").has("x-forwarded-prefix")).isFalse();
    }

    @Test
    void requestBodyIsStreamedToTheMachine() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        machine.firstPartReceived = new CompletableFuture<>();
        CompletableFuture<Long> firstPart = machine.firstPartReceived;
        byte[] part = new byte[MachineServer.FIRST_PART];
        // The second half is only sent once the machine has the first: a router that buffered bodies would hang here.
        Flux<byte[]> body = Flux.concat(Mono.just(part), Mono.fromFuture(firstPart).map(received -> part));

        RouterResponse response = exchange(router.client.post().uri("/s/" + id + "/upload")
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(BodyInserters.fromPublisher(body, byte[].class))).block(BLOCK);

        assertThat(response.status()).isEqualTo(HttpStatus.OK);
        assertThat(response.body()).isEqualTo(Integer.toString(2 * MachineServer.FIRST_PART));
    }

    @Test
    void responseBodyIsStreamedToTheClient() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        machine.releaseSecond = new CompletableFuture<>();
        CompletableFuture<Void> release = machine.releaseSecond;

        // The machine sends "second" only after the client got "first" through the router.
        List<String> lines = router.client.get().uri("/s/" + id + "/drip").retrieve().bodyToFlux(String.class)
                .doOnNext(line -> release.complete(null))
                .collectList().block(BLOCK);

        assertThat(lines).containsExactly("first", "second");
    }

    @Test
    void webSocketThroughTheRouterEchoesAndClosesTheMachineSideWithTheClient() throws InterruptedException {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        machine.closesReceived.clear();
        List<String> received = new CopyOnWriteArrayList<>();

        new ReactorNettyWebSocketClient().execute(URI.create("ws://127.0.0.1:" + router.port + "/s/" + id + "/ws"),
                session -> session.send(Flux.just("hello", "preview").map(session::textMessage))
                        .thenMany(session.receive().map(WebSocketMessage::getPayloadAsText).doOnNext(received::add).take(2))
                        .then(session.close(CloseStatus.NORMAL.withReason("bye"))))
                .block(BLOCK);

        assertThat(received).containsExactly("hello", "preview");
        WebSocketCloseStatus close = machine.closesReceived.poll(10, TimeUnit.SECONDS);
        assertThat(close).isNotNull();
        assertThat(close.code()).isEqualTo(1000);
    }

    @Test
    void webSocketClosedByTheMachineIsClosedForTheClient() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        List<String> received = new CopyOnWriteArrayList<>();
        CompletableFuture<CloseStatus> closed = new CompletableFuture<>();

        new ReactorNettyWebSocketClient().execute(URI.create("ws://127.0.0.1:" + router.port + "/s/" + id + "/ws-bye"),
                session -> Mono.when(
                        session.receive().map(WebSocketMessage::getPayloadAsText).doOnNext(received::add),
                        session.closeStatus().doOnNext(closed::complete)))
                .block(BLOCK);

        assertThat(received).containsExactly("bye");
        assertThat(closed.join().getCode()).isEqualTo(4000);
    }

    @Test
    void webSocketToAnUnreachableMachineIsClosedWithBadGatewayNamingTheSession() throws IOException {
        UUID id = UUID.randomUUID();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        log.active(id, 3, "http://127.0.0.1:" + closedPort);
        CompletableFuture<CloseStatus> closed = new CompletableFuture<>();

        new ReactorNettyWebSocketClient().execute(URI.create("ws://127.0.0.1:" + router.port + "/s/" + id + "/ws"),
                session -> session.closeStatus().doOnNext(closed::complete).then())
                .block(BLOCK);

        assertThat(closed.join().getCode()).isEqualTo(1014);
        assertThat(closed.join().getReason()).contains(id.toString());
    }

    @Test
    void decisionsAndHoldsAreMeasured() {
        UUID id = UUID.randomUUID();
        log.create(id);
        log.active(id, 3, machine.url());
        assertThat(get("/s/" + id + "/").block(BLOCK).status()).isEqualTo(HttpStatus.OK);

        for (String metric : List.of("velocity.router.decisions", "velocity.router.held.requests",
                "velocity.router.forward.duration")) {
            RouterResponse response = exchange(router.client.get().uri("/actuator/metrics/" + metric)).block(BLOCK);
            assertThat(response.status()).as(metric).isEqualTo(HttpStatus.OK);
            assertThat(response.json().get("name").asString()).isEqualTo(metric);
        }
        RouterResponse forwarded = exchange(router.client.get()
                .uri("/actuator/metrics/velocity.router.forward.duration?tag=outcome:forwarded")).block(BLOCK);
        assertThat(forwarded.json().get("measurements").get(0).get("value").asDouble())
                .as("forwarded requests counted").isGreaterThanOrEqualTo(1);
        // nothing is left parked once the request was answered
        RouterResponse held = exchange(router.client.get().uri("/actuator/metrics/velocity.router.held.requests")).block(BLOCK);
        assertThat(held.json().get("measurements").get(0).get("value").asDouble()).isZero();
        // counted by decision instead, not as server requests that every one would file under uri=UNKNOWN
        RouterResponse unmapped = exchange(router.client.get().uri("/actuator/metrics/http.server.requests?tag=uri:UNKNOWN"))
                .block(BLOCK);
        assertThat(unmapped.status()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void privateActiveSessionWithoutATokenIsUnauthorized() {
        UUID id = privateActiveSession();

        RouterResponse response = get("/s/" + id + "/").block(BLOCK);

        assertProblem(response, HttpStatus.UNAUTHORIZED, id);
        assertThat(response.json().get("code").asString()).isEqualTo("preview_token_required");
        assertThat(response.headers().containsHeader(HttpHeaders.SET_COOKIE)).isFalse();
    }

    @Test
    void previewTokenInALinkIsExchangedForACookieThatOpensThePreviewWithoutTheMachineSeeingEither() {
        UUID id = privateActiveSession();
        String token = TOKENS.mint(id, Instant.now(), Duration.ofMinutes(10));

        RouterResponse exchanged = get("/s/" + id + "/docs/page?x=1&preview_token=" + token + "&y=a%20b").block(BLOCK);

        assertThat(exchanged.status()).isEqualTo(HttpStatus.SEE_OTHER);
        URI location = exchanged.headers().getLocation();
        assertThat(location).isEqualTo(URI.create("/s/" + id + "/docs/page?x=1&y=a%20b"));
        SetCookie cookie = onlyCookie(exchanged);
        assertThat(cookie.name()).isEqualTo(cookieName(id));
        assertThat(cookie.value()).isEqualTo(token);
        assertThat(cookie.attributes()).containsEntry("httponly", "").containsEntry("samesite", "Lax")
                .containsEntry("path", "/s/" + id + "/").doesNotContainKeys("domain", "secure");
        assertThat(Long.parseLong(cookie.attributes().get("max-age"))).isBetween(9 * 60L, 10 * 60L);

        RouterResponse page = exchange(router.client.get().uri(URI.create(router.baseUrl() + location))
                .header(HttpHeaders.COOKIE, "theme=dark; " + cookie.name() + "=" + cookie.value())).block(BLOCK);

        assertThat(page.status()).isEqualTo(HttpStatus.OK);
        JsonNode seen = page.json();
        assertThat(seen.get("uri").asString()).isEqualTo("/docs/page?x=1&y=a%20b");
        assertThat(seen.get("headers").get("cookie").asString()).isEqualTo("theme=dark");
        assertThat(page.body()).doesNotContain(token).doesNotContain("preview_token");
        assertThat(page.headers().getCacheControl()).isEqualTo("private, max-age=60");
        assertThat(page.headers().get(HttpHeaders.SET_COOKIE)).containsExactly("app=1; Path=/");
    }

    @Test
    void cookieIsSecureWhenTheClientCameOverHttps() {
        UUID id = privateActiveSession();
        String token = TOKENS.mint(id, Instant.now(), Duration.ofMinutes(1));

        RouterResponse exchanged = exchange(router.client.get().uri(URI.create(router.baseUrl() + "/?preview_token=" + token))
                .header(HttpHeaders.HOST, id + ".preview.localhost")
                .header(PreviewHeaders.FORWARDED_PROTO, "https")).block(BLOCK);

        assertThat(exchanged.status()).isEqualTo(HttpStatus.SEE_OTHER);
        assertThat(exchanged.headers().getLocation()).isEqualTo(URI.create("/"));
        SetCookie cookie = onlyCookie(exchanged);
        assertThat(cookie.attributes()).containsEntry("secure", "").containsEntry("path", "/").doesNotContainKey("domain");
    }

    @Test
    void heldPrivateSessionWithoutATokenIsRefusedAtOnceNotAfterTheHold() {
        UUID id = UUID.randomUUID();
        log.create(id, Visibility.PRIVATE);
        await().until(() -> router.directory().lookup(id).isPresent());

        long started = System.nanoTime();
        RouterResponse response = get("/s/" + id + "/").block(BLOCK);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(MAX_HOLD);
        assertProblem(response, HttpStatus.UNAUTHORIZED, id);
        assertThat(response.json().get("code").asString()).isEqualTo("preview_token_required");
    }

    @Test
    void tokenForAnotherSessionIsUnauthorized() {
        UUID id = privateActiveSession();
        UUID other = privateActiveSession();
        String othersToken = TOKENS.mint(other, Instant.now(), Duration.ofMinutes(10));

        RouterResponse inQuery = get("/s/" + id + "/?preview_token=" + othersToken).block(BLOCK);
        RouterResponse inCookie = exchange(router.client.get().uri(URI.create(router.baseUrl() + "/s/" + id + "/"))
                .header(HttpHeaders.COOKIE, cookieName(id) + "=" + othersToken)).block(BLOCK);

        for (RouterResponse response : List.of(inQuery, inCookie)) {
            assertProblem(response, HttpStatus.UNAUTHORIZED, id);
            assertThat(response.json().get("code").asString()).isEqualTo("preview_token_invalid");
            assertThat(response.body()).doesNotContain(othersToken);
            assertThat(response.headers().containsHeader(HttpHeaders.SET_COOKIE)).isFalse();
        }
    }

    @Test
    void webSocketToAPrivateSessionNeedsTheCookieWhichTheMachineNeverSees() {
        UUID id = privateActiveSession();
        String token = TOKENS.mint(id, Instant.now(), Duration.ofMinutes(10));
        URI uri = URI.create("ws://127.0.0.1:" + router.port + "/s/" + id + "/ws-echo-request?q=1");
        HttpHeaders withCookie = new HttpHeaders();
        withCookie.add(HttpHeaders.COOKIE, cookieName(id) + "=" + token + "; theme=dark");
        List<String> received = new CopyOnWriteArrayList<>();

        new ReactorNettyWebSocketClient().execute(uri, withCookie,
                        session -> session.receive().map(WebSocketMessage::getPayloadAsText).doOnNext(received::add).then())
                .block(BLOCK);
        Throwable refused = catchThrowable(() -> new ReactorNettyWebSocketClient()
                .execute(uri, session -> session.receive().then()).block(BLOCK));

        assertThat(received).singleElement().satisfies(echo -> {
            JsonNode handshake = JSON.readTree(echo);
            assertThat(handshake.get("uri").asString()).isEqualTo("/ws-echo-request?q=1");
            assertThat(handshake.get("headers").get("cookie").asString()).isEqualTo("theme=dark");
        });
        assertThat(refused).hasMessageContaining("401");
    }

    /** A private session, requested and active on the machine server. */
    private static UUID privateActiveSession() {
        UUID id = UUID.randomUUID();
        log.create(id, Visibility.PRIVATE);
        log.row(SessionLog.view(id, SessionStatus.ACTIVE, 3, null, null, machine.url(), Visibility.PRIVATE));
        await().until(() -> router.directory().lookup(id).map(v -> v.version() == 3).orElse(false));
        return id;
    }

    /** The router's documented cookie name: {@code vp_preview_} and the first 8 hex digits of the session id. */
    private static String cookieName(UUID id) {
        return "vp_preview_" + id.toString().substring(0, 8);
    }

    private static SetCookie onlyCookie(RouterResponse response) {
        List<String> cookies = response.headers().get(HttpHeaders.SET_COOKIE);
        assertThat(cookies).hasSize(1);
        return SetCookie.parse(cookies.get(0));
    }

    /** A {@code Set-Cookie} header as a browser reads it; attribute names lower-cased, flags map to "". */
    record SetCookie(String name, String value, Map<String, String> attributes) {
        static SetCookie parse(String header) {
            String[] parts = header.split(";");
            String[] pair = parts[0].trim().split("=", 2);
            Map<String, String> attributes = new HashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] attribute = parts[i].trim().split("=", 2);
                attributes.put(attribute[0].toLowerCase(Locale.ROOT), attribute.length > 1 ? attribute[1] : "");
            }
            return new SetCookie(pair[0], pair[1], attributes);
        }
    }

    private static void assertProblem(RouterResponse response, HttpStatus status, UUID id) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.headers().getFirst(PreviewHeaders.SESSION_ID)).isEqualTo(id.toString());
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status.value());
        assertThat(problem.get("sessionId").asString()).isEqualTo(id.toString());
        assertThat(problem.get("type").asString()).isNotBlank();
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("instance").asString()).startsWith("/s/" + id);
    }

    private static Mono<RouterResponse> get(String path) {
        return exchange(router.client.get().uri(URI.create(router.baseUrl() + path)));
    }

    private static Mono<RouterResponse> exchange(WebClient.RequestHeadersSpec<?> request) {
        return RouterResponse.exchange(request);
    }
}
