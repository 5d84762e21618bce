package dev.velocitypreview.core.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a free TCP port on the loopback address for a server that must know its port before it
 * binds (a broker advertising itself, a service whose address goes into another's settings).
 *
 * <p>Why not the kernel's port 0: that hands out ports from the ephemeral range, the same range every
 * outgoing connection on the machine takes its local port from, so between the probe and the bind
 * another process's Kafka client or HTTP connection can take it ("port already in use" on a busy
 * machine). Ports are drawn instead at random from below that range, where only listeners live.
 *
 * <p>JDK only: the preview runtime, which has this module without its dependencies, picks its dev server's port
 * here.
 */
public final class LoopbackPorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 20_000;
    private static final int ATTEMPTS = 200;

    private LoopbackPorts() {
    }

    /** @throws IllegalStateException when no free port was found */
    public static int free() {
        int below = ephemeralStart();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on 127.0.0.1 between " + LOWEST + " and " + below
                + " after " + ATTEMPTS + " tries");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range; Linux's default when it cannot be read. */
    private static int ephemeralStart() {
        try {
            int start = Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
            return start > LOWEST + 1_000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
