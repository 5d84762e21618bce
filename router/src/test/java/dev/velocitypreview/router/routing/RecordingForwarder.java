package dev.velocitypreview.router.routing;

import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/** Records what it was asked to forward; answers 200, or fails as if the machine were unreachable. */
final class RecordingForwarder implements PreviewForwarder {

    final List<ForwardTarget> targets = new CopyOnWriteArrayList<>();
    volatile boolean unreachable;

    @Override
    public Mono<Void> forward(ServerWebExchange exchange, ForwardTarget target) {
        targets.add(target);
        if (unreachable) {
            return Mono.error(new MachineUnreachableException(target.sessionId(), new ConnectException("Connection refused")));
        }
        exchange.getResponse().setStatusCode(HttpStatus.OK);
        return exchange.getResponse().setComplete();
    }
}
