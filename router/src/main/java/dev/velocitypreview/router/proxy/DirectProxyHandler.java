package dev.velocitypreview.router.proxy;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.support.Netty4HeadersAdapter;

import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.router.routing.DirectForward;
import dev.velocitypreview.router.routing.DirectRoutes;

/**
 * The fast path of one client connection, between Reactor Netty's HTTP codec and its HTTP handling: a request
 * {@link DirectRoutes} lets through goes to its machine from here ({@link MachineExchange}), and WebFlux never sees
 * it; every other request goes on to WebFlux as it came.
 *
 * <p>One answer at a time, in order: a request that arrives while another one's answer is still on its way (a
 * pipelining client) waits here until that answer is complete, whoever gives it; and while WebFlux still owes
 * answers, every request goes to WebFlux, which keeps its own order. Once WebFlux switched the connection to
 * another protocol (a WebSocket), everything goes to it.
 */
final class DirectProxyHandler extends ChannelDuplexHandler {

    private final DirectRoutes routes;
    private final MachineConnections machines;
    private final String scheme;
    /** What the client sent that is not handled yet, in order. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private @Nullable MachineExchange current;
    /** The current exchange's request has not ended yet: its (empty) last content is still to come. */
    private boolean requestOpen;
    /** Requests handed to WebFlux that it has not answered in full yet. */
    private int owedByWebFlux;
    private boolean switchedProtocols;

    DirectProxyHandler(DirectRoutes routes, MachineConnections machines, String scheme) {
        this.routes = routes;
        this.machines = machines;
        this.scheme = scheme;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (switchedProtocols) {
            ctx.fireChannelRead(message);
            return;
        }
        pending.add(message);
        drain(ctx);
    }

    private void drain(ChannelHandlerContext ctx) {
        while (!pending.isEmpty()) {
            Object message = pending.peek();
            if (requestOpen && message instanceof HttpContent content && !(message instanceof HttpRequest)) {
                // the end of a request the fast path took
                pending.poll();
                requestOpen = !(content instanceof LastHttpContent);
                ReferenceCountUtil.release(content);
                continue;
            }
            if (current != null) {
                // the next request waits for the current answer
                break;
            }
            pending.poll();
            if (message instanceof HttpRequest request && owedByWebFlux == 0 && !switchedProtocols && take(ctx, request)) {
                continue;
            }
            if (message instanceof HttpRequest) {
                owedByWebFlux++;
            }
            ctx.fireChannelRead(message);
        }
        readOnIfIdle(ctx);
    }

    /**
     * Reactor Netty reads a connection only when it asks to (no auto-read): once it has nothing left to answer,
     * it asks for the next request; so must the fast path once its answers are done and WebFlux owes none, or
     * while the request it took has not ended yet.
     */
    private void readOnIfIdle(ChannelHandlerContext ctx) {
        if (!switchedProtocols && owedByWebFlux == 0 && (current == null || requestOpen)
                && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }

    /** Starts the request's exchange with its machine when the fast path may take it; false when WebFlux gets it. */
    private boolean take(ChannelHandlerContext ctx, HttpRequest request) {
        if (!isPlain(request)) {
            return false;
        }
        MachineExchange[] exchange = new MachineExchange[1];
        Optional<DirectForward> forward = routes.open(HttpMethod.valueOf(request.method().name()), request.uri(),
                new HttpHeaders(new Netty4HeadersAdapter(request.headers())),
                view -> onLoop(ctx, () -> departed(ctx, exchange[0], view)));
        if (forward.isEmpty()) {
            return false;
        }
        exchange[0] = new MachineExchange(this, ctx, machines, request, forward.get(), scheme);
        current = exchange[0];
        requestOpen = !(request instanceof LastHttpContent);
        exchange[0].start();
        return true;
    }

    /**
     * HTTP/1.1 without a body, an upgrade or an expectation: what the fast path relays. A body (an upload, a form)
     * goes to WebFlux, whose forward streams it.
     */
    private static boolean isPlain(HttpRequest request) {
        io.netty.handler.codec.http.HttpHeaders headers = request.headers();
        return request.protocolVersion() == HttpVersion.HTTP_1_1
                && !request.decoderResult().isFailure()
                && HttpUtil.getContentLength(request, 0L) == 0
                && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                && !headers.contains(HttpHeaderNames.UPGRADE)
                && !headers.contains(HttpHeaderNames.EXPECT);
    }

    /** The exchange's answer is complete (or the connection is closing); the next request may go. */
    void exchangeEnded(ChannelHandlerContext ctx, MachineExchange exchange, boolean connectionKept) {
        if (current != exchange) {
            return;
        }
        current = null;
        if (connectionKept) {
            drain(ctx);
        } else {
            release();
        }
    }

    private static void onLoop(ChannelHandlerContext ctx, Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException shutDown) {
            // the server is stopping: the connection and its exchange go with it
        }
    }

    private void departed(ChannelHandlerContext ctx, @Nullable MachineExchange exchange, SessionView now) {
        if (exchange == null || current != exchange || !exchange.departed(now)) {
            return;
        }
        // decided again by WebFlux, on the newer view: held and woken, or answered as ended
        current = null;
        owedByWebFlux++;
        ctx.fireChannelRead(exchange.request());
        if (!requestOpen) {
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        requestOpen = false;
        drain(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
        // WebFlux's answers pass here on their way out: counted off as they end (an informational one is no answer)
        if (!switchedProtocols && owedByWebFlux > 0) {
            if (message instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                switchedProtocols = response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS);
                if (switchedProtocols) {
                    flushPendingTo(ctx);
                }
            } else if (message instanceof LastHttpContent) {
                owedByWebFlux--;
            }
        }
        ctx.write(message, promise);
    }

    private void flushPendingTo(ChannelHandlerContext ctx) {
        while (!pending.isEmpty()) {
            ctx.fireChannelRead(pending.poll());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && ctx.channel().isWritable()) {
            current.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientClosed();
            current = null;
        }
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        while (!pending.isEmpty()) {
            ReferenceCountUtil.release(pending.poll());
        }
    }
}
