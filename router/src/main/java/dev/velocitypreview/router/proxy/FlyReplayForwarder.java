package dev.velocitypreview.router.proxy;

import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import dev.velocitypreview.core.access.SessionReplayState;
import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.machine.FlyMachineId;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.router.RouterProperties;
import dev.velocitypreview.router.routing.ForwardTarget;
import dev.velocitypreview.router.routing.PreviewForwarder;
import dev.velocitypreview.router.routing.RequestBodyTooLargeException;
import dev.velocitypreview.router.routing.UnroutableSessionException;
import reactor.core.publisher.Mono;

/**
 * Sends a request on by asking Fly's proxy to replay it: answers with
 * {@code fly-replay: app=<preview app>;instance=<machine id>[;state=<secret>]} and no body, and Fly's proxy
 * delivers the client's request, WebSocket upgrades included, to that machine (starting it if it is stopped).
 * Nothing flows through this router.
 *
 * <p>Fly's documentation sets no status for a replay response and its proxy acts on the header whatever the
 * status; this one answers 409 as Fly's own replaying library (fly-ruby) does, so that a response that somehow
 * reaches a client without being replayed is an error, not an empty success.
 *
 * <p>Fly cannot replay a request over 1 MB. A body whose {@code Content-Length} is over {@link #MAX_BODY_BYTES}
 * is refused at once, unread; a body without a length (chunked) is read and counted as it arrives, and refused
 * as soon as it passes the limit, so a small chunked upload still goes through.
 *
 * <p>The header is built only from values whose shape is checked: the app name and state when the router starts
 * ({@link RouterProperties.Fly}), the machine id here on every request. A machine id of any other shape is
 * refused: logged quoted (escaped, truncated), never echoed to the client.
 */
final class FlyReplayForwarder implements PreviewForwarder {

    /**
     * The largest body replayed. Fly says "1MB" without saying which; the decimal one is the smaller, so every
     * body let through fits either.
     */
    static final long MAX_BODY_BYTES = 1_000_000;
    /** Not specified by Fly; see the class comment. */
    static final HttpStatus REPLAY_STATUS = HttpStatus.CONFLICT;
    private static final Logger LOG = LoggerFactory.getLogger(FlyReplayForwarder.class);

    private final String previewApp;
    private final @Nullable String replayState;

    FlyReplayForwarder(RouterProperties.Fly fly) {
        this.previewApp = Objects.requireNonNull(fly.previewApp(), "velocity.router.fly.preview-app is required in fly-replay mode");
        this.replayState = fly.replayState() == null ? null : fly.replayState().value();
    }

    @Override
    public Mono<Void> forward(ServerWebExchange exchange, ForwardTarget target) {
        String machineId = target.machineId();
        // Anything else is refused rather than put into a header Fly's proxy parses.
        if (!FlyMachineId.isValid(machineId)) {
            LOG.atWarn().addKeyValue("session", target.sessionId())
                    .addKeyValue("machineId", machineId == null ? null : SessionId.quote(machineId))
                    .log("active session's machine id is not a fly machine id; not replaying");
            return Mono.error(new UnroutableSessionException(target.sessionId(),
                    "its machine id is not a Fly machine id (" + FlyMachineId.SHAPE + ")"));
        }
        return checkBodySize(exchange.getRequest(), target).then(Mono.defer(() -> replay(exchange, target, machineId)));
    }

    private Mono<Void> replay(ServerWebExchange exchange, ForwardTarget target, String machineId) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(REPLAY_STATUS);
        response.getHeaders().set(PreviewHeaders.FLY_REPLAY, header(machineId, target.sessionId()));
        response.getHeaders().setContentLength(0);
        LOG.atDebug().addKeyValue("session", target.sessionId()).addKeyValue("machine", machineId)
                .log("replaying request on fly");
        return response.setComplete();
    }

    /**
     * The header value; {@code machineId} is checked, the app name was when the router started. The state is the
     * session's own ({@link SessionReplayState}): its machine knows only that one.
     */
    String header(String machineId, UUID sessionId) {
        return "app=" + previewApp + ";instance=" + machineId
                + (replayState == null ? "" : ";" + PreviewHeaders.FLY_REPLAY_STATE + "=" + SessionReplayState.of(replayState, sessionId));
    }

    private static Mono<Void> checkBodySize(ServerHttpRequest request, ForwardTarget target) {
        HttpHeaders headers = request.getHeaders();
        long declared = headers.getContentLength();
        if (declared > MAX_BODY_BYTES) {
            return Mono.error(new RequestBodyTooLargeException(target.sessionId(), MAX_BODY_BYTES));
        }
        if (declared >= 0) {
            return Mono.empty();
        }
        // No length (chunked, or none at all: then the body is empty and counting it costs nothing). Counted and let
        // go: Fly's proxy replays its own copy of the request, not what this router read.
        return request.getBody()
                .map(FlyReplayForwarder::sizeReleasing)
                .scan(0L, Long::sum)
                .takeUntil(total -> total > MAX_BODY_BYTES)
                .last(0L)
                .flatMap(total -> total > MAX_BODY_BYTES
                        ? Mono.error(new RequestBodyTooLargeException(target.sessionId(), MAX_BODY_BYTES))
                        : Mono.empty());
    }

    private static long sizeReleasing(DataBuffer buffer) {
        long size = buffer.readableByteCount();
        DataBufferUtils.release(buffer);
        return size;
    }
}
