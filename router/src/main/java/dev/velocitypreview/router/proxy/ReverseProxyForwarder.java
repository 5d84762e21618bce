package dev.velocitypreview.router.proxy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;

import dev.velocitypreview.router.RouterProperties;
import dev.velocitypreview.router.routing.ForwardTarget;
import dev.velocitypreview.router.routing.MachineUnreachableException;
import dev.velocitypreview.router.routing.PreviewForwarder;
import dev.velocitypreview.router.routing.SessionUse;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

/**
 * Forwards to the machine over HTTP, streaming bodies both ways, and relays WebSocket upgrades frame by frame
 * ({@code velocity.router.mode=proxy}). A relayed WebSocket outlives its forward (which ends with the upgrade), so
 * the relay itself tells {@link SessionUse} while it is open: a preview with its HMR socket open is in use.
 */
final class ReverseProxyForwarder implements PreviewForwarder, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReverseProxyForwarder.class);

    private final MachineClients http;
    private final SessionUse use;
    private final ReactorNettyWebSocketClient webSockets;
    private final WebSocketService upgrades = new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy());

    ReverseProxyForwarder(RouterProperties properties, SessionUse use) {
        this.http = new MachineClients(properties.connectTimeout());
        this.use = use;
        // an upgraded connection carries one WebSocket and is never reused, so it may live on any event loop
        this.webSockets = new ReactorNettyWebSocketClient(HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(properties.connectTimeout().toMillis()))
                .followRedirect(false)
                .compress(false));
    }

    /** Closes the pools of connections to machines. */
    @Override
    public void close() {
        http.close();
    }

    @Override
    public Mono<Void> forward(ServerWebExchange exchange, ForwardTarget target) {
        return ProxyHeaders.isWebSocketUpgrade(exchange.getRequest().getHeaders())
                ? relayWebSocket(exchange, target)
                : proxyHttp(exchange, target);
    }

    /**
     * Streams the request to the machine and its answer back, buffer by buffer, with Reactor Netty's client
     * directly: the headers are written straight into the outgoing messages, and the machine's body buffers are
     * handed to the client's connection as they are.
     */
    private Mono<Void> proxyHttp(ServerWebExchange exchange, ForwardTarget target) {
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        HttpHeaders incoming = request.getHeaders();
        String clientHost = incoming.getFirst(HttpHeaders.HOST);
        String scheme = request.getURI().getScheme();
        InetSocketAddress remote = request.getRemoteAddress();
        boolean withBody = hasBody(incoming);
        AtomicBoolean answered = new AtomicBoolean();
        return http.call(request, client -> client
                        .request(HttpMethod.valueOf(request.getMethod().name()))
                        .uri(target.httpUri())
                        .send((outgoing, body) -> {
                            ProxyHeaders.writeToMachine(incoming, clientHost, scheme, remote, target,
                                    new HttpHeaders(new Netty4HeadersAdapter(outgoing.requestHeaders())), false);
                            return withBody ? body.send(request.getBody().map(NettyDataBufferFactory::toByteBuf)) : body;
                        })
                        .responseConnection((upstream, connection) -> {
                            answered.set(true);
                            response.setStatusCode(HttpStatusCode.valueOf(upstream.status().code()));
                            ProxyHeaders.copyEndToEnd(upstream.responseHeaders(), response.getHeaders());
                            NettyDataBufferFactory buffers = new NettyDataBufferFactory(connection.outbound().alloc());
                            // received buffers are released once handled; the client's connection releases them after writing
                            return response.writeWith(connection.inbound().receive().retain().map(buffers::wrap));
                        })
                        .then())
                .onErrorMap(e -> !answered.get() && !(e instanceof MachineUnreachableException),
                        e -> new MachineUnreachableException(target.sessionId(), e));
    }

    private static boolean hasBody(HttpHeaders request) {
        return request.getContentLength() > 0 || request.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }

    /**
     * Upgrades the client, then connects to the machine offering the subprotocol the client got. A browser
     * cannot see the status of a failed handshake but does see a close reason, so a machine that cannot be
     * reached closes the client's socket with 1014 (bad gateway) naming the session.
     */
    private Mono<Void> relayWebSocket(ServerWebExchange exchange, ForwardTarget target) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = ProxyHeaders.toMachineWebSocket(request.getHeaders(),
                request.getHeaders().getFirst(HttpHeaders.HOST), request.getURI().getScheme(),
                request.getRemoteAddress(), target);
        List<String> offered = ProxyHeaders.webSocketProtocols(request.getHeaders());
        return upgrades.handleRequest(exchange, new WebSocketHandler() {
            @Override
            public List<String> getSubProtocols() {
                return offered;
            }

            @Override
            public Mono<Void> handle(WebSocketSession client) {
                return connectMachine(client, target, headers);
            }
        });
    }

    private Mono<Void> connectMachine(WebSocketSession client, ForwardTarget target, HttpHeaders headers) {
        String chosen = client.getHandshakeInfo().getSubProtocol();
        List<String> protocols = chosen == null ? List.of() : List.of(chosen);
        AtomicBoolean connected = new AtomicBoolean();
        // The client's socket lives until the relay is done, which may be after the machine's connection ended.
        Sinks.Empty<Void> relayed = Sinks.empty();
        return webSockets.execute(target.webSocketUri(), headers, new WebSocketHandler() {
                    @Override
                    public List<String> getSubProtocols() {
                        return protocols;
                    }

                    @Override
                    public Mono<Void> handle(WebSocketSession machine) {
                        connected.set(true);
                        LOG.atDebug().addKeyValue("session", target.sessionId()).log("websocket relay open");
                        use.began(target.sessionId());
                        return WebSocketRelay.relay(client, machine).doFinally(signal -> {
                            use.ended(target.sessionId());
                            LOG.atDebug().addKeyValue("session", target.sessionId()).log("websocket relay closed");
                            relayed.tryEmitEmpty();
                        });
                    }
                })
                .then(Mono.defer(() -> connected.get() ? relayed.asMono() : Mono.empty()))
                .onErrorResume(e -> !connected.get(), e -> {
                    LOG.atWarn().addKeyValue("session", target.sessionId()).addKeyValue("machine", target.machine())
                            .addKeyValue("cause", e.toString()).log("machine unreachable for websocket");
                    return client.close(WebSocketRelay.BAD_GATEWAY.withReason(
                            "machine of session " + target.sessionId() + " is unreachable"));
                });
    }
}
