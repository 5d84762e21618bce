package dev.velocitypreview.router.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import org.jspecify.annotations.Nullable;

/**
 * The fast path's keep-alive connections to machines: per event loop and machine address, the idle ones, each used
 * by one exchange at a time and only on the loop that opened it, so a client's exchange and its connection to the
 * machine share one thread and the idle lists need no lock. Hand-written rather than Reactor Netty's pool: that
 * pool's acquire and release, and the Reactor chains around them, were a measured part of every proxied request
 * (docs/benchmarks.md §4).
 */
final class MachineConnections implements AutoCloseable {

    /** Idle connections kept per machine and event loop; a connection given back beyond that is closed. */
    static final int MAX_IDLE = 64;
    /** The handler of a machine connection's pipeline that hands what the machine sends to its exchange. */
    static final String RELAY = "velocity.machineRelay";
    /** Reactor Netty's client limits, so a machine's answer that passed before passes now. */
    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADERS = 8192;
    /**
     * The largest body part handed on at once: as much as one read brings (Netty's reads grow to 64 KiB), so a
     * large answer is relayed in a few writes rather than in 8 KiB slices.
     */
    private static final int MAX_PART = 64 * 1024;

    private final int connectTimeoutMillis;
    private final Map<EventLoop, Map<InetSocketAddress, ArrayDeque<Channel>>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    MachineConnections(Duration connectTimeout) {
        this.connectTimeoutMillis = Math.toIntExact(connectTimeout.toMillis());
    }

    /** An idle connection to {@code machine} opened on {@code loop}, or null; call on {@code loop}. */
    @Nullable Channel pooled(EventLoop loop, InetSocketAddress machine) {
        ArrayDeque<Channel> connections = idleOf(loop).get(machine);
        while (connections != null && !connections.isEmpty()) {
            Channel connection = connections.pollLast();
            if (connection.isActive()) {
                return connection;
            }
        }
        return null;
    }

    /**
     * Opens a connection to {@code machine} on {@code client}'s event loop, with the client's transport (a loop
     * registers only channels of its own kind).
     */
    ChannelFuture connect(Channel client, InetSocketAddress machine) {
        ChannelFuture connecting = new Bootstrap()
                .group(client.eventLoop())
                .channelFactory(new ReflectiveChannelFactory<>(client.getClass()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_PART)).addLast(RELAY, new MachineRelay());
                    }
                })
                .connect(machine);
        // an idle connection the machine closes leaves its list at once (close listeners run on the channel's loop)
        EventLoop loop = client.eventLoop();
        connecting.channel().closeFuture().addListener(done -> {
            ArrayDeque<Channel> connections = idleOf(loop).get(machine);
            if (connections != null) {
                connections.remove(connecting.channel());
            }
        });
        return connecting;
    }

    /** Keeps {@code connection}, whose exchange ended with the machine's answer, for the next one; call on its loop. */
    void release(Channel connection, InetSocketAddress machine) {
        if (closed || !connection.isActive()) {
            connection.close();
            return;
        }
        ArrayDeque<Channel> connections = idleOf(connection.eventLoop()).computeIfAbsent(machine, key -> new ArrayDeque<>());
        if (connections.size() >= MAX_IDLE) {
            connection.close();
            return;
        }
        connections.addLast(connection);
    }

    private Map<InetSocketAddress, ArrayDeque<Channel>> idleOf(EventLoop loop) {
        return idle.computeIfAbsent(loop, key -> new HashMap<>());
    }

    /** Closes the idle connections; connections in use close when their exchange ends. */
    @Override
    public void close() {
        closed = true;
        idle.forEach((loop, byMachine) -> {
            try {
                loop.execute(() -> {
                    byMachine.values().forEach(connections -> List.copyOf(connections).forEach(Channel::close));
                    byMachine.clear();
                });
            } catch (RejectedExecutionException shutDown) {
                // the loop is gone, and its channels with it
            }
        });
    }
}
