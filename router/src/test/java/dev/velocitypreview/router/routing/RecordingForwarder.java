package dev.velocitypreview.router.routing;

import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * Records what it was asked to forward (the target and the request headers the machine would get); answers 200
 * with {@link #responseHeaders}, or fails as if the machine were unreachable, or with {@link #failure}.
 */
final class RecordingForwarder implements PreviewForwarder {

    final List<ForwardTarget> targets = new CopyOnWriteArrayList<>();
    final List<HttpHeaders> requestHeaders = new CopyOnWriteArrayList<>();
    final HttpHeaders responseHeaders = new HttpHeaders();
    volatile boolean unreachable;
    /** How many of the next forwards get no answer at all, as from a machine whose process is frozen. */
    final AtomicInteger unanswered = new AtomicInteger();
    /** When set, what forwarding fails with instead. */
    volatile RuntimeException failure;

    @Override
    public Mono<Void> forward(ServerWebExchange exchange, ForwardTarget target) {
        targets.add(target);
        requestHeaders.add(HttpHeaders.copyOf(exchange.getRequest().getHeaders()));
        if (unanswered.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return Mono.never();
        }
        if (failure != null) {
            return Mono.error(failure);
        }
        if (unreachable) {
            return Mono.error(new MachineUnreachableException(target.sessionId(), new ConnectException("Connection refused")));
        }
        exchange.getResponse().setStatusCode(HttpStatus.OK);
        exchange.getResponse().getHeaders().putAll(responseHeaders);
        return exchange.getResponse().setComplete();
    }
}
