package dev.velocitypreview.router.proxy;

import java.time.Duration;

import io.netty.channel.ChannelPipeline;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;

import dev.velocitypreview.router.RouterProperties;
import dev.velocitypreview.router.routing.DirectRoutes;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Puts the proxy's fast path ({@link DirectProxyHandler}) into every HTTP/1.1 connection of the router's server, in
 * {@code proxy} mode: a request for an active session that may open it is relayed to its machine by Netty alone,
 * without WebFlux's adapter, Reactor's operators or Reactor Netty's client pool, which were most of a proxied
 * request's cost (docs/benchmarks.md §4). Everything else goes on to WebFlux. Not in {@code fly-replay} mode, where
 * nothing is relayed, nor when Reactor Netty reads {@code Forwarded} headers (the client's address and scheme are
 * then its to say).
 */
final class DirectProxy implements NettyServerCustomizer, AutoCloseable {

    static final String HANDLER = "velocity.directProxy";

    private final RouterProperties.Mode mode;
    private final DirectRoutes routes;
    private final MachineConnections machines;

    DirectProxy(RouterProperties.Mode mode, Duration connectTimeout, DirectRoutes routes) {
        this.mode = mode;
        this.routes = routes;
        this.machines = new MachineConnections(connectTimeout);
    }

    @Override
    public HttpServer apply(HttpServer server) {
        if (mode != RouterProperties.Mode.PROXY || server.configuration().isForwarded()) {
            return server;
        }
        String scheme = server.configuration().isSecure() ? "https" : "http";
        return server.doOnChannelInit((observer, channel, remoteAddress) -> {
            ChannelPipeline pipeline = channel.pipeline();
            // HTTP/1.1 only: an h2 stream's pipeline has no codec of this name
            if (pipeline.get(NettyPipeline.HttpCodec) == null) {
                return;
            }
            // after whatever reads requests before Reactor Netty's HTTP handling (the malformed-request problems)
            DirectProxyHandler handler = new DirectProxyHandler(routes, machines, scheme);
            if (pipeline.get(NettyPipeline.HttpTrafficHandler) != null) {
                pipeline.addBefore(NettyPipeline.HttpTrafficHandler, HANDLER, handler);
            } else {
                pipeline.addAfter(NettyPipeline.HttpCodec, HANDLER, handler);
            }
        });
    }

    @Override
    public void close() {
        machines.close();
    }
}
