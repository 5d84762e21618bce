package dev.velocitypreview.router;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.access.SessionReplayState;
import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The router in {@code fly-replay} mode against a real broker: an active session is answered with a
 * {@code fly-replay} header and no body (Fly's proxy does the rest); everything else the router decides
 * itself is the same as in proxy mode.
 */
class RouterFlyReplayIT {

    private static final Duration MAX_HOLD = Duration.ofSeconds(1);
    private static final Duration GRACE = Duration.ofMillis(300);
    private static final Duration BLOCK = Duration.ofSeconds(20);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PREVIEW_APP = "velocity-previews";
    private static final String STATE = "fly-replay-it-state-0123456789abcdef";
    private static final String SECRET = "router-fly-it-preview-token-secret-0123456789";
    private static final PreviewToken TOKENS = new PreviewToken(SECRET);
    private static final String MACHINE = "148ed193b95e89";

    private static SessionLog log;
    /** Replays with {@code state=}. */
    private static RunningRouter router;
    /** Replays without a state. */
    private static RunningRouter stateless;

    @BeforeAll
    static void start() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        log = new SessionLog(bootstrap);
        Map<String, Object> fly = Map.of(
                "velocity.router.mode", "fly-replay",
                "velocity.router.fly.preview-app", PREVIEW_APP,
                "velocity.router.max-hold", MAX_HOLD.toMillis() + "ms",
                "velocity.router.unknown-grace", GRACE.toMillis() + "ms",
                "velocity.router.preview-token-secret", SECRET);
        Map<String, Object> withState = new LinkedHashMap<>(fly);
        withState.put("velocity.router.fly.replay-state", STATE);
        withState.put("velocity.router.kafka.application-id", "router-fly-it");
        Map<String, Object> withoutState = new LinkedHashMap<>(fly);
        withoutState.put("velocity.router.kafka.application-id", "router-fly-it-stateless");
        router = RunningRouter.start(bootstrap, withState);
        stateless = RunningRouter.start(bootstrap, withoutState);
        router.awaitReady();
        stateless.awaitReady();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {stateless, router, log}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not stop " + closeable, e);
                }
            }
        }
    }

    @Test
    void activeSessionIsAnsweredWithAFlyReplayToItsMachineAndNoBody() {
        UUID id = activeOnFly(MACHINE, Visibility.PUBLIC);
        await().until(() -> stateless.directory().lookup(id).isPresent());

        RouterResponse pathStyle = get(stateless, "/s/" + id + "/index.html?v=1").block(BLOCK);
        RouterResponse hostStyle = exchange(stateless.client.get().uri("/assets/app.js")
                .header(HttpHeaders.HOST, id + ".preview.localhost")).block(BLOCK);

        for (RouterResponse response : new RouterResponse[] {pathStyle, hostStyle}) {
            assertThat(response.status()).isEqualTo(HttpStatus.CONFLICT);
            assertThat(response.headers().get("fly-replay")).containsExactly("app=velocity-previews;instance=" + MACHINE);
            assertThat(response.body()).isEmpty();
        }
    }

    @Test
    void replayCarriesTheSharedStateWhenOneIsConfigured() {
        UUID id = activeOnFly(MACHINE, Visibility.PUBLIC);

        RouterResponse response = get(router, "/s/" + id + "/").block(BLOCK);

        assertThat(response.status()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(response.headers().get("fly-replay"))
                .containsExactly("app=velocity-previews;instance=" + MACHINE + ";state=" + SessionReplayState.of(STATE, id));
        assertThat(response.body()).isEmpty();
    }

    @Test
    void webSocketUpgradeIsReplayedNotNegotiated() throws IOException {
        UUID id = activeOnFly(MACHINE, Visibility.PUBLIC);

        RawResponse response = raw(router, "GET /s/" + id + "/ws HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + router.port + "\r\n"
                + "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", null);

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.headers()).containsEntry("fly-replay", "app=velocity-previews;instance=" + MACHINE + ";state=" + SessionReplayState.of(STATE, id))
                .doesNotContainKey("sec-websocket-accept");
    }

    @Test
    void heldRequestIsReplayedOnceTheSessionIsActive() {
        UUID id = UUID.randomUUID();
        log.create(id);
        await().until(() -> router.directory().lookup(id).isPresent());

        CompletableFuture<RouterResponse> response = get(router, "/s/" + id + "/").toFuture();
        await().until(() -> router.directory().waiting() > 0);
        log.row(id, SessionStatus.PROVISIONING, 1);
        assertThat(response).isNotDone();
        log.row(onFly(id, SessionStatus.ACTIVE, 2, MACHINE, Visibility.PUBLIC));

        RouterResponse replayed = response.join();
        assertThat(replayed.status()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(replayed.headers().getFirst("fly-replay")).contains("instance=" + MACHINE);
    }

    @Test
    void holdUnknownTerminatedAndFailedAreAnsweredAsInProxyMode() {
        UUID requested = UUID.randomUUID();
        log.create(requested);
        UUID unknown = UUID.randomUUID();
        UUID terminated = UUID.randomUUID();
        log.row(onFly(terminated, SessionStatus.ACTIVE, 3, MACHINE, Visibility.PUBLIC));
        log.row(SessionLog.view(terminated, SessionStatus.TERMINATED, 4, "user", null, null));
        UUID failed = UUID.randomUUID();
        log.row(SessionLog.view(failed, SessionStatus.FAILED, 2, null, "npm install exited with 1", null));
        await().until(() -> router.directory().lookup(requested).isPresent()
                && router.directory().lookup(terminated).map(v -> v.version() == 4).orElse(false)
                && router.directory().lookup(failed).isPresent());

        assertProblem(get(router, "/s/" + requested + "/").block(BLOCK), HttpStatus.GATEWAY_TIMEOUT, requested);
        assertProblem(get(router, "/s/" + unknown + "/").block(BLOCK), HttpStatus.NOT_FOUND, unknown);
        assertProblem(get(router, "/s/" + terminated + "/").block(BLOCK), HttpStatus.GONE, terminated);
        RouterResponse broken = get(router, "/s/" + failed + "/").block(BLOCK);
        assertProblem(broken, HttpStatus.BAD_GATEWAY, failed);
        assertThat(broken.json().get("detail").asString()).contains("npm install exited with 1");
    }

    @Test
    void bodyDeclaredOverOneMegabyteIsRefusedWith413BeforeItIsSent() throws IOException {
        UUID id = activeOnFly(MACHINE, Visibility.PUBLIC);

        // Only the head is sent: the router must answer without waiting for the body.
        RawResponse response = raw(router, "POST /s/" + id + "/upload HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + router.port + "\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 1000001\r\n\r\n", null);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.headers()).doesNotContainKey("fly-replay")
                .containsEntry("content-type", MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("code").asString()).isEqualTo("request_body_too_large");
        assertThat(problem.get("detail").asString()).contains(id.toString()).contains("1000000 bytes");
    }

    @Test
    void chunkedBodyOverOneMegabyteIsRefusedWith413AndASmallOneIsReplayed() throws IOException {
        UUID id = activeOnFly(MACHINE, Visibility.PUBLIC);
        String head = "POST /s/" + id + "/upload HTTP/1.1\r\nHost: 127.0.0.1:" + router.port + "\r\n"
                + "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

        RawResponse large = raw(router, head, chunked(1_000_001));
        RawResponse small = raw(router, head, chunked(10_000));

        assertThat(large.status()).isEqualTo(413);
        assertThat(large.headers()).doesNotContainKey("fly-replay");
        assertThat(small.status()).isEqualTo(409);
        assertThat(small.headers()).containsKey("fly-replay");
    }

    @Test
    void machineIdOfTheWrongShapeIsRefusedWith502AndNeverEchoed() {
        String hostile = "148ed193b95e89;app=attacker-app";
        UUID id = activeOnFly(hostile, Visibility.PUBLIC);

        RouterResponse response = get(router, "/s/" + id + "/").block(BLOCK);

        assertProblem(response, HttpStatus.BAD_GATEWAY, id);
        assertThat(response.json().get("code").asString()).isEqualTo("session_unroutable");
        assertThat(response.headers().containsHeader("fly-replay")).isFalse();
        assertThat(response.body()).doesNotContain("attacker-app");
    }

    @Test
    void privateSessionIsReplayedOnlyWithItsToken() {
        UUID id = activeOnFly(MACHINE, Visibility.PRIVATE);
        String token = TOKENS.mint(id, Instant.now(), Duration.ofMinutes(10));
        String cookie = "vp_preview_" + id.toString().substring(0, 8) + "=" + token;

        RouterResponse refused = get(router, "/s/" + id + "/").block(BLOCK);
        RouterResponse exchanged = get(router, "/s/" + id + "/?preview_token=" + token).block(BLOCK);
        RouterResponse replayed = exchange(router.client.get().uri(URI.create(router.baseUrl() + "/s/" + id + "/"))
                .header(HttpHeaders.COOKIE, cookie)).block(BLOCK);

        assertProblem(refused, HttpStatus.UNAUTHORIZED, id);
        assertThat(refused.headers().containsHeader("fly-replay")).isFalse();
        assertThat(exchanged.status()).isEqualTo(HttpStatus.SEE_OTHER);
        assertThat(exchanged.headers().containsHeader("fly-replay")).isFalse();
        assertThat(replayed.status()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(replayed.headers().getFirst("fly-replay")).contains("instance=" + MACHINE);
    }

    /** A session active on a Fly machine, once the router knows it. */
    private static UUID activeOnFly(String machineId, Visibility visibility) {
        UUID id = UUID.randomUUID();
        log.row(onFly(id, SessionStatus.ACTIVE, 3, machineId, visibility));
        await().until(() -> router.directory().lookup(id).isPresent());
        return id;
    }

    /** A row as the provisioner writes it with the Fly driver: machine id, and the runtime's private address. */
    private static SessionView onFly(UUID id, SessionStatus status, long version, String machineId, Visibility visibility) {
        Instant now = Instant.now();
        return new SessionView(id, "router-fly-it", UUID.randomUUID(), status, null, null, machineId,
                "http://" + MACHINE + ".vm." + PREVIEW_APP + ".internal:8080", "ams", Tier.FREE, visibility, version,
                now, now, now, null, null, null, null);
    }

    private static void assertProblem(RouterResponse response, HttpStatus status, UUID id) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.headers().getFirst(PreviewHeaders.SESSION_ID)).isEqualTo(id.toString());
        assertThat(response.headers().containsHeader("fly-replay")).isFalse();
        assertThat(response.json().get("status").asInt()).isEqualTo(status.value());
    }

    private static Mono<RouterResponse> get(RunningRouter to, String path) {
        return exchange(to.client.get().uri(URI.create(to.baseUrl() + path)));
    }

    private static Mono<RouterResponse> exchange(WebClient.RequestHeadersSpec<?> request) {
        return RouterResponse.exchange(request);
    }

    /** {@code size} bytes as one chunk, then the last chunk. */
    private static byte[] chunked(int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] data = new byte[size];
        Arrays.fill(data, (byte) 'x');
        out.writeBytes(data);
        out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /**
     * Sends {@code head} (and {@code body}, if any) over a socket of its own and reads one response: a client
     * the router cannot hide anything from, and one that can send a head without its body.
     */
    private static RawResponse raw(RunningRouter to, String head, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", to.port)) {
            socket.setSoTimeout(Math.toIntExact(BLOCK.toMillis()));
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            return new RawResponse(Integer.parseInt(statusLine.split(" ")[1]), headers,
                    new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed in the middle of the response head: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    record RawResponse(int status, Map<String, String> headers, String body) {
    }
}
