package dev.velocitypreview.router.proxy;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
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
        // A received frame is released once handled; the other side's send releases it again after writing.
        // A send fails when its side went away mid-frame; that side's close status still says how it ended.
        Mono<Void> up = machine.send(client.receive().doOnNext(WebSocketMessage::retain))
                .onErrorResume(e -> Mono.empty())
                .then(closeWith(machine, client));
        Mono<Void> down = client.send(machine.receive().doOnNext(WebSocketMessage::retain))
                .onErrorResume(e -> Mono.empty())
                .then(closeWith(client, machine));
        return Mono.when(up, down);
    }

    /** Closes {@code target} the way {@code source} was closed. */
    private static Mono<Void> closeWith(WebSocketSession target, WebSocketSession source) {
        return Mono.defer(() -> source.closeStatus().defaultIfEmpty(CloseStatus.GOING_AWAY)
                .flatMap(status -> target.isOpen() ? target.close(sendable(status)) : Mono.empty()));
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
