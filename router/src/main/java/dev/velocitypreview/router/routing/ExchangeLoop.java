package dev.velocitypreview.router.routing;

import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.netty.Connection;

/**
 * The event loop a request's client connection lives on: where its answer is written, and where the proxy's
 * connection to the machine lives ({@code proxy.MachineClients}). What must not race the answer runs there.
 */
public final class ExchangeLoop {

    private ExchangeLoop() {
    }

    /** Null for a server that is not Reactor Netty (a mocked exchange): no event loop to keep to. */
    public static @Nullable EventLoop of(ServerHttpRequest request) {
        try {
            Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
            return nativeRequest instanceof Connection connection ? connection.channel().eventLoop() : null;
        } catch (IllegalArgumentException | IllegalStateException notNative) {
            // not a server request, or a mocked one without a server behind it
            return null;
        }
    }
}
