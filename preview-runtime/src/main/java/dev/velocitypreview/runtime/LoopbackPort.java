package dev.velocitypreview.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free loopback port for the dev server, which must be told its port before it binds. Drawn from below the
 * kernel's ephemeral range, where outgoing connections never take a port between the probe and the bind (the
 * reasoning of {@code embedded}'s {@code LoopbackPorts}, which the runtime cannot depend on: it starts with a
 * class path of its own).
 */
final class LoopbackPort {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 20_000;
    private static final int ATTEMPTS = 200;

    private LoopbackPort() {
    }

    static int free() throws IOException {
        int below = ephemeralStart();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException e) {
                // taken: draw another
            }
        }
        throw new IOException("no free port on 127.0.0.1 from " + LOWEST + " to " + below + " after " + ATTEMPTS + " tries");
    }

    private static int ephemeralStart() {
        try {
            int start = Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
            return start > LOWEST + 1_000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
