package dev.velocitypreview.router.proxy;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketSession;

import reactor.core.publisher.Mono;

/** Relays frames between a client's WebSocket and the machine's, both ways, and closes each when the other closes. */
final class WebSocketRelay {

    /** 1014, "bad gateway" (IANA WebSocket close code registry). */
    static final CloseStatus BAD_GATEWAY = new CloseStatus(1014);

    private WebSocketRelay() {
    }

    /**
     * Completes once both sides are closed. A side is closed with the other's close status only after every
     * frame the other sent before closing was relayed, so a last message is never overtaken by the close.
     */
    static Mono<Void> relay(WebSocketSession client, WebSocketSession machine) {
        Mono<Void> up = pipe(client, machine).then(closeWith(machine, client));
        Mono<Void> down = pipe(machine, client).then(closeWith(client, machine));
        return Mono.when(up, down);
    }

    /**
     * Sends each frame {@code from} receives on to {@code to}, one at a time, until {@code from} closes. One send
     * per frame rather than one streamed send: when {@code to} goes away, a streamed send would cancel
     * {@code from}'s receiving, which Reactor Netty answers with an empty close frame, losing the close status.
     */
    private static Mono<Void> pipe(WebSocketSession from, WebSocketSession to) {
        // A received frame is released once handled; the send releases it again after writing, hence retain.
        return from.receive()
                .concatMap(message -> to.send(Mono.just(message.retain())).onErrorResume(e -> Mono.empty()))
                .then();
    }

    /** Closes {@code target} the way {@code source} was closed; closing an already closed side does nothing. */
    private static Mono<Void> closeWith(WebSocketSession target, WebSocketSession source) {
        return Mono.defer(() -> source.closeStatus().defaultIfEmpty(CloseStatus.GOING_AWAY)
                .flatMap(status -> target.close(sendable(status)))
                .onErrorResume(e -> Mono.empty()));
    }

    /** 1005, 1006 and 1015 report what happened locally and must not be sent in a close frame (RFC 6455 §7.4.1). */
    static CloseStatus sendable(CloseStatus status) {
        return switch (status.getCode()) {
            case 1005 -> CloseStatus.NORMAL;
            case 1006, 1015 -> CloseStatus.GOING_AWAY;
            default -> status;
        };
    }
}
