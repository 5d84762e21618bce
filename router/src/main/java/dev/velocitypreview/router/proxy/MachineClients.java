package dev.velocitypreview.router.proxy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import org.springframework.http.server.reactive.ServerHttpRequest;

import dev.velocitypreview.router.routing.ExchangeLoop;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP clients the reverse proxy reaches machines with: one per event loop of the router's server, each with
 * a connection pool of its own, and every call started on the event loop of the client's connection. So a
 * proxied exchange, the client's connection and the pooled connection to the machine, lives on one event loop.
 *
 * <p>Why: with one shared pool, the connection to the machine may live on another event loop than the client's.
 * The machine's last bytes then reach a client before the client's event loop has ended the exchange; with a
 * {@code Content-Length} the client has the whole response and sends its next request on the same connection at
 * once. Reactor Netty takes that request for a pipelined one, answers it, and then stops reading the connection
 * (reactor-netty#4361, open in the version this router runs): the request after it is never answered
 * (docs/reliability.md, finding 2). On one event loop the exchange has ended before the client's next request
 * can be read.
 */
final class MachineClients implements AutoCloseable {

    /** Connections per machine and event loop; the shared pool Reactor Netty would use allows as many. */
    private static final int MAX_CONNECTIONS = 500;

    private final Duration connectTimeout;
    private final Map<EventLoop, Pooled> byLoop = new ConcurrentHashMap<>();
    private final AtomicInteger pools = new AtomicInteger();
    /** For a server that is not Reactor Netty (a mocked exchange): no event loop to keep to. */
    private final Pooled shared;

    private record Pooled(ConnectionProvider connections, HttpClient client) {
    }

    MachineClients(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
        this.shared = pooled("machines");
    }

    /**
     * Runs {@code call} with the client of {@code request}'s event loop, started on that loop (a request that
     * was held resumes on another thread, and a connection the pool opens belongs to the loop it was opened on).
     */
    <T> Mono<T> call(ServerHttpRequest request, Function<HttpClient, Mono<T>> call) {
        EventLoop loop = ExchangeLoop.of(request);
        if (loop == null) {
            return Mono.defer(() -> call.apply(shared.client()));
        }
        Mono<T> onLoop = Mono.defer(() -> call.apply(byLoop.computeIfAbsent(loop,
                l -> pooled("machines-" + pools.incrementAndGet())).client()));
        return Mono.defer(() -> loop.inEventLoop() ? onLoop : onLoop.subscribeOn(Schedulers.fromExecutor(loop)));
    }

    private Pooled pooled(String name) {
        ConnectionProvider connections = ConnectionProvider.builder(name).maxConnections(MAX_CONNECTIONS).build();
        HttpClient http = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(connectTimeout.toMillis()))
                .followRedirect(false)
                .compress(false);
        return new Pooled(connections, http);
    }

    @Override
    public void close() {
        byLoop.values().forEach(pooled -> pooled.connections().dispose());
        byLoop.clear();
        shared.connections().dispose();
    }
}
