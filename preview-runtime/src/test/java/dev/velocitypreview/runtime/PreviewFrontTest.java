package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The front on real sockets, in front of a stand-in dev server that answers each request with what it received. */
class PreviewFrontTest {

    /** What the stand-in dev server does with one connection, after reading its request head. */
    interface Upstream {
        void answer(HttpHead request, InputStream in, OutputStream out) throws IOException;
    }

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final RuntimeLog log = new RuntimeLog(new PrintStream(logs, true, StandardCharsets.UTF_8), "s-front");
    private final List<AutoCloseable> opened = new ArrayList<>();
    /** Every request head the upstream received, as bytes on the wire. */
    private final List<String> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    /** Answers with the request head it got (and the body it got, by Content-Length or chunks) as its body. */
    static final Upstream ECHO = (request, in, out) -> {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(request.bytes());
        if (!request.values("Transfer-Encoding").isEmpty()) {
            PreviewFront.copyChunked(in, body);
        } else if (!request.values("Content-Length").isEmpty()) {
            body.write(in.readNBytes(Integer.parseInt(request.values("Content-Length").get(0))));
        }
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.size() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body.toByteArray());
        out.flush();
    };

    InetSocketAddress upstream(Upstream upstream) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        opened.add(server);
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket connection = server.accept();
                    new Thread(() -> {
                        try (connection) {
                            InputStream in = new BufferedInputStream(connection.getInputStream());
                            HttpHead head = HttpHead.read(in, 64 * 1024);
                            if (head != null) {
                                received.add(new String(head.bytes(), StandardCharsets.ISO_8859_1));
                                upstream.answer(head, in, connection.getOutputStream());
                            }
                        } catch (IOException e) {
                            // the front went away
                        }
                    }).start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    PreviewFront front(InetSocketAddress upstream) throws IOException {
        return front(new ServerSocket(), upstream, PreviewFront.Timeouts.DEFAULT);
    }

    PreviewFront front(ServerSocket listener, InetSocketAddress upstream, PreviewFront.Timeouts timeouts) throws IOException {
        PreviewFront front = new PreviewFront(listener, new InetSocketAddress("127.0.0.1", 0),
                request -> request.target().equals("/answered")
                        ? PreviewFront.Answer.text(200, "answered by the front\n")
                        : new PreviewFront.Relay(upstream, request.target()),
                log, timeouts);
        opened.add(front);
        front.start();
        return front;
    }

    /** Sends {@code request} as it is and reads until the front closes the connection. */
    static String exchange(PreviewFront front, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", front.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void theReplaySourceNeverReachesTheDevServer() throws Exception {
        PreviewFront front = front(upstream(ECHO));

        String plain = exchange(front, "GET /a HTTP/1.1\r\nHost: x\r\nfly-replay-src: instance=1;state=secret-0123456789\r\n"
                + "Fly-Replay-Src: state=other\r\nX-Kept: 1\r\nConnection: close\r\n\r\n");
        String upgrade = exchange(front, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "fly-replay-src: state=secret-0123456789\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");

        assertThat(plain).startsWith("HTTP/1.1 200 OK\r\n").contains("X-Kept: 1\r\n");
        assertThat(upgrade).startsWith("HTTP/1.1 200 OK\r\n").contains("Sec-WebSocket-Key:");
        assertThat(received).hasSize(2).allSatisfy(head -> assertThat(head.toLowerCase()).doesNotContain("fly-replay-src")
                .doesNotContain("secret-0123456789"));
    }
}
