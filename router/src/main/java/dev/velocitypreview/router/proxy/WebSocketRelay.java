package dev.velocitypreview.router.proxy;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

import reactor.core.publisher.Mono;

/** Relays frames between a client's WebSocket and the machine's, both ways, and closes each when the other closes. */
final class WebSocketRelay {

    private WebSocketRelay() {
    }

    /** Completes once both sides are closed. */
    static Mono<Void> relay(WebSocketSession client, WebSocketSession machine) {
        // A received frame is released once handled; the other side's send releases it again after writing.
        Mono<Void> up = machine.send(client.receive().doOnNext(WebSocketMessage::retain));
        Mono<Void> down = client.send(machine.receive().doOnNext(WebSocketMessage::retain));
        Mono<Void> closeMachine = client.closeStatus().defaultIfEmpty(CloseStatus.GOING_AWAY)
                .flatMap(status -> machine.isOpen() ? machine.close(sendable(status)) : Mono.empty());
        Mono<Void> closeClient = machine.closeStatus().defaultIfEmpty(CloseStatus.GOING_AWAY)
                .flatMap(status -> client.isOpen() ? client.close(sendable(status)) : Mono.empty());
        return Mono.when(up, down, closeMachine, closeClient);
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
