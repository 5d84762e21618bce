package dev.velocitypreview.router.proxy;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Flux;

import dev.velocitypreview.core.access.SessionReplayState;
import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.router.RouterProperties;
import dev.velocitypreview.router.routing.ForwardTarget;
import dev.velocitypreview.router.routing.RequestBodyTooLargeException;
import dev.velocitypreview.router.routing.UnroutableSessionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class FlyReplayForwarderTest {

    private static final Duration BLOCK = Duration.ofSeconds(5);
    private static final String MACHINE = "148ed193b95e89";
    private static final String STATE = "0123456789abcdef0123456789abcdef";

    private final UUID id = UUID.randomUUID();
    private final FlyReplayForwarder forwarder = new FlyReplayForwarder(new RouterProperties.Fly("velocity-previews", null));

    @Test
    void activeSessionIsReplayedToItsMachineWithNothingButTheHeader() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/s/" + id + "/app.js").build());

        forwarder.forward(exchange, target(MACHINE)).block(BLOCK);

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(exchange.getResponse().getHeaders().get("fly-replay"))
                .containsExactly("app=velocity-previews;instance=" + MACHINE);
        assertThat(exchange.getResponse().getHeaders().getContentLength()).isZero();
        assertThat(exchange.getResponse().getBodyAsString().block(BLOCK)).isEmpty();
    }

    @Test
    void replayCarriesTheSessionsOwnStateNeverTheSecret() {
        FlyReplayForwarder withState = new FlyReplayForwarder(new RouterProperties.Fly("velocity-previews", new Secret(STATE)));
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/").build());
        ForwardTarget target = target(MACHINE);

        withState.forward(exchange, target).block(BLOCK);

        String replay = exchange.getResponse().getHeaders().getFirst("fly-replay");
        assertThat(replay).isEqualTo("app=velocity-previews;instance=" + MACHINE + ";state="
                + SessionReplayState.of(STATE, target.sessionId())).doesNotContain(STATE);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"148ed193b95e89;app=other-app", "148ED193B95E89", "148ed193b95e8", "148ed193b95e890",
            "local-0123456789ab", "148ed193b95e8\r\nset-cookie: x=1", "148ed193b95e8g", " 148ed193b95e89"})
    void machineIdOfAnyOtherShapeIsRefusedAndNeverEchoed(String hostile) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/").build());

        Throwable refused = catchThrowable(() -> forwarder.forward(exchange, target(hostile)).block(BLOCK));

        assertThat(refused).isInstanceOf(UnroutableSessionException.class)
                .hasMessageContaining("not a Fly machine id");
        if (hostile != null && !hostile.isEmpty()) {
            assertThat(refused.getMessage()).doesNotContain(hostile);
        }
        assertThat(exchange.getResponse().getHeaders().containsHeader("fly-replay")).isFalse();
        assertThat(exchange.getResponse().isCommitted()).isFalse();
    }

    @Test
    void bodyDeclaredOverTheLimitIsRefusedWithoutBeingRead() {
        AtomicLong read = new AtomicLong();
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/upload")
                .contentLength(FlyReplayForwarder.MAX_BODY_BYTES + 1)
                .body(chunks(FlyReplayForwarder.MAX_BODY_BYTES + 1, read)));

        Throwable refused = catchThrowable(() -> forwarder.forward(exchange, target(MACHINE)).block(BLOCK));

        assertThat(refused).isInstanceOfSatisfying(RequestBodyTooLargeException.class, e -> {
            assertThat(e.sessionId()).isEqualTo(id);
            assertThat(e.limitBytes()).isEqualTo(1_000_000);
        });
        assertThat(read).hasValue(0);
        assertThat(exchange.getResponse().getHeaders().containsHeader("fly-replay")).isFalse();
    }

    @Test
    void bodyOfExactlyTheLimitIsReplayed() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/upload")
                .contentLength(FlyReplayForwarder.MAX_BODY_BYTES)
                .body(chunks(FlyReplayForwarder.MAX_BODY_BYTES, new AtomicLong())));

        forwarder.forward(exchange, target(MACHINE)).block(BLOCK);

        assertThat(exchange.getResponse().getHeaders().getFirst("fly-replay")).contains("instance=" + MACHINE);
    }

    @Test
    void chunkedBodyIsRefusedAsSoonAsItPassesTheLimit() {
        AtomicLong read = new AtomicLong();
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/upload")
                .header(HttpHeaders.TRANSFER_ENCODING, "chunked")
                .body(chunks(3 * FlyReplayForwarder.MAX_BODY_BYTES, read)));

        Throwable refused = catchThrowable(() -> forwarder.forward(exchange, target(MACHINE)).block(BLOCK));

        assertThat(refused).isInstanceOf(RequestBodyTooLargeException.class);
        assertThat(read.get()).as("stopped reading once over the limit")
                .isGreaterThan(FlyReplayForwarder.MAX_BODY_BYTES).isLessThan(2 * FlyReplayForwarder.MAX_BODY_BYTES);
        assertThat(exchange.getResponse().getHeaders().containsHeader("fly-replay")).isFalse();
    }

    @Test
    void smallChunkedBodyIsReplayed() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/upload")
                .header(HttpHeaders.TRANSFER_ENCODING, "chunked")
                .body(chunks(10_000, new AtomicLong())));

        forwarder.forward(exchange, target(MACHINE)).block(BLOCK);

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(exchange.getResponse().getHeaders().getFirst("fly-replay")).contains("instance=" + MACHINE);
    }

    private ForwardTarget target(String machineId) {
        return new ForwardTarget(id, machineId, URI.create("http://" + MACHINE + ".vm.velocity-previews.internal:8080"),
                "/", null, null);
    }

    /** {@code total} bytes in 64 KiB buffers, counting what is taken into {@code read}. */
    private static Flux<DataBuffer> chunks(long total, AtomicLong read) {
        int size = 64 * 1024;
        long count = (total + size - 1) / size;
        return Flux.range(0, Math.toIntExact(count)).map(i -> {
            int length = (int) Math.min(size, total - (long) i * size);
            byte[] bytes = new byte[length];
            Arrays.fill(bytes, (byte) 'x');
            read.addAndGet(length);
            return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
        });
    }
}
