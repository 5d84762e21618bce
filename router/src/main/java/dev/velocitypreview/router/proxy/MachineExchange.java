package dev.velocitypreview.router.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
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
import org.springframework.http.support.Netty4HeadersAdapter;

import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.router.routing.DirectForward;

/**
 * One request of a client's connection relayed to its machine by the fast path ({@link DirectProxyHandler}): the
 * request's head rewritten as {@link ReverseProxyForwarder} rewrites it ({@link ProxyHeaders}), sent on a pooled
 * connection, and the machine's answer relayed to the client as it arrives, the machine's buffers handed on as
 * they are. Runs on the client's event loop, which is also its machine connection's.
 *
 * <p>A pooled connection the machine closed before answering (it may have dropped an idle keep-alive connection
 * just as the request went out) is retried once on a new connection, for a method that may be sent twice
 * (RFC 9110 §9.2.2); otherwise the client gets the problem a forward gets for a machine that does not answer.
 */
final class MachineExchange {

    static final IOException CLOSED_BEFORE_ANSWER = new IOException("the machine closed the connection before it answered") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    private final DirectProxyHandler handler;
    private final ChannelHandlerContext client;
    private final MachineConnections machines;
    private final HttpRequest request;
    private final DirectForward forward;
    private final InetSocketAddress machine;
    private final String scheme;
    private final boolean clientKeepAlive;
    private @Nullable Channel connection;
    private boolean reused;
    /** The machine's answer has begun: its head went to the client. */
    private boolean answered;
    /** Skipping an informational (1xx) answer, which is not relayed. */
    private boolean informational;
    private boolean machineKeepAlive;
    private boolean done;

    MachineExchange(DirectProxyHandler handler, ChannelHandlerContext client, MachineConnections machines,
                    HttpRequest request, DirectForward forward, String scheme) {
        this.handler = handler;
        this.client = client;
        this.machines = machines;
        this.request = request;
        this.forward = forward;
        this.scheme = scheme;
        this.machine = forward.machine().address();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    }

    HttpRequest request() {
        return request;
    }

    /** Sends the request on a pooled connection, or on a new one. */
    void start() {
        Channel pooled = machines.pooled(client.channel().eventLoop(), machine);
        if (pooled != null) {
            send(pooled, true);
        } else {
            connect();
        }
    }

    private void connect() {
        ChannelFuture connecting = machines.connect(client.channel(), machine);
        connection = connecting.channel();
        reused = false;
        connecting.addListener((ChannelFutureListener) connected -> {
            if (done) {
                connected.channel().close();
            } else if (!connected.isSuccess()) {
                machineFailed(connected.channel(), connected.cause());
            } else {
                send(connected.channel(), false);
            }
        });
    }

    private void send(Channel channel, boolean pooled) {
        connection = channel;
        reused = pooled;
        MachineRelay relay = channel.pipeline().get(MachineRelay.class);
        if (relay == null) {
            // closed, its pipeline already taken down
            machineFailed(channel, CLOSED_BEFORE_ANSWER);
            return;
        }
        relay.use(this);
        HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), forward.target().requestTarget());
        out.headers().set(HttpHeaderNames.HOST, forward.machine().hostHeader());
        SocketAddress remote = client.channel().remoteAddress();
        ProxyHeaders.writeToMachine(request.headers(), scheme, remote instanceof InetSocketAddress inet ? inet : null,
                forward.target(), out.headers());
        forward.stripReservedCookies(new HttpHeaders(new Netty4HeadersAdapter(out.headers())));
        channel.write(out);
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener((ChannelFutureListener) sent -> {
            if (!sent.isSuccess()) {
                machineFailed(sent.channel(), sent.cause());
            }
        });
    }

    void responseHead(HttpResponse head) {
        if (done) {
            return;
        }
        if (head.decoderResult().isFailure()) {
            machineFailed(connection, head.decoderResult().cause());
            return;
        }
        if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            informational = true;
            return;
        }
        answered = true;
        machineKeepAlive = HttpUtil.isKeepAlive(head);
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, head.status());
        HttpHeaders headers = new HttpHeaders(new Netty4HeadersAdapter(out.headers()));
        ProxyHeaders.copyEndToEnd(head.headers(), headers);
        forward.sanitize(headers);
        if (!out.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && mayHaveBody(head.status())) {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        if (!clientKeepAlive) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        client.write(out);
    }

    void responseContent(HttpContent content) {
        if (done) {
            ReferenceCountUtil.release(content);
            return;
        }
        if (informational) {
            informational = !(content instanceof LastHttpContent);
            ReferenceCountUtil.release(content);
            return;
        }
        if (!(content instanceof LastHttpContent last)) {
            client.write(content);
            return;
        }
        // the machine's trailers are not relayed, as they were not before the fast path
        ChannelFuture written = last.content().isReadable()
                ? client.writeAndFlush(new DefaultLastHttpContent(last.content()))
                : client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!last.content().isReadable()) {
            last.release();
        }
        done = true;
        Channel used = connection;
        if (used != null) {
            MachineRelay relay = used.pipeline().get(MachineRelay.class);
            if (relay != null) {
                relay.use(null);
            }
            used.config().setAutoRead(true);
            if (machineKeepAlive) {
                machines.release(used, machine);
            } else {
                used.close();
            }
        }
        forward.ended();
        if (!clientKeepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        handler.exchangeEnded(client, this, clientKeepAlive);
    }

    void responseReadComplete() {
        if (!done) {
            client.flush();
            // relayed at the client's pace: what one read brought is flushed first, and only if the client cannot
            // take it all at once is the machine's connection left unread until it did
            if (!client.channel().isWritable() && connection != null) {
                connection.config().setAutoRead(false);
            }
        }
    }

    /** The client can take more: the machine's connection is read again. */
    void clientWritable() {
        if (!done && connection != null) {
            connection.config().setAutoRead(true);
        }
    }

    /** The machine's connection {@code failed} broke, or could not be made or written to. */
    void machineFailed(@Nullable Channel failed, Throwable cause) {
        if (done || failed != connection) {
            return;
        }
        if (failed != null) {
            detach(failed);
        }
        if (answered) {
            // the answer broke off after it began: all the client can be told is that the connection ends here
            done = true;
            forward.ended();
            client.close();
            handler.exchangeEnded(client, this, false);
            return;
        }
        if (reused && IDEMPOTENT.contains(request.method())) {
            connect();
            return;
        }
        done = true;
        FullHttpResponse problem = forward.unreachable(cause);
        if (!clientKeepAlive) {
            problem.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture written = client.writeAndFlush(problem);
        if (!clientKeepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        handler.exchangeEnded(client, this, clientKeepAlive);
    }

    /**
     * The session left the machine: before the machine's answer began, the forward is cut off (its connection
     * closed: a suspended machine would not answer on it) and true is returned, the request to be decided again.
     */
    boolean departed(SessionView now) {
        if (done || answered) {
            return false;
        }
        done = true;
        if (connection != null) {
            detach(connection);
        }
        forward.departed(now);
        return true;
    }

    /** The client's connection closed first: the machine's is closed too (its answer would go nowhere). */
    void clientClosed() {
        if (done) {
            return;
        }
        done = true;
        if (connection != null) {
            detach(connection);
        }
        forward.ended();
    }

    /** Closes {@code channel}, no longer this exchange's: nothing it still reports reaches this exchange. */
    private static void detach(Channel channel) {
        MachineRelay relay = channel.pipeline().get(MachineRelay.class);
        if (relay != null) {
            relay.use(null);
        }
        channel.close();
    }

    private boolean mayHaveBody(HttpResponseStatus status) {
        return !HttpMethod.HEAD.equals(request.method()) && status.code() != 204 && status.code() != 304;
    }
}
