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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

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
            // the body as it arrived, framing and all
            body.write(readChunked(in));
        } else if (!request.values("Content-Length").isEmpty()) {
            body.write(in.readNBytes(Integer.parseInt(request.values("Content-Length").get(0))));
        }
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.size() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body.toByteArray());
        out.flush();
    };

    /** Raw bytes up to the end of a chunked body, with the size lines as they came: what the front sent. */
    static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = rawLine(in, raw);
            long size = Long.parseLong(sizeLine.split(";")[0].strip(), 16);
            if (size == 0) {
                while (!rawLine(in, raw).isEmpty()) {
                    // trailers, kept raw
                }
                return raw.toByteArray();
            }
            raw.write(in.readNBytes((int) size));
            rawLine(in, raw);
        }
    }

    private static String rawLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            raw.write(b);
            line.append((char) b);
        }
        if (b < 0) {
            throw new IOException("ended early");
        }
        raw.write(b);
        return line.toString().strip();
    }

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
        return front(listener, upstream, timeouts, System::nanoTime);
    }

    PreviewFront front(ServerSocket listener, InetSocketAddress upstream, PreviewFront.Timeouts timeouts, LongSupplier nanoTime)
            throws IOException {
        PreviewFront front = new PreviewFront(listener, new InetSocketAddress("127.0.0.1", 0),
                request -> request.target().equals("/answered")
                        ? PreviewFront.Answer.text(200, "answered by the front\n")
                        : new PreviewFront.Relay(upstream, request.target()),
                log, timeouts, nanoTime);
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

    @Test
    void whatWaitsForTheNextRelayRunsOnceThatAnswerIsWrittenAndNotForTheFrontsOwnAnswers() throws Exception {
        PreviewFront front = front(upstream(ECHO));
        List<String> runs = new CopyOnWriteArrayList<>();
        front.afterNextRelay(() -> runs.add("relayed"));

        String own = exchange(front, "GET /answered HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(own).contains("answered by the front");
        assertThat(runs).as("the front's own answer is no relay").isEmpty();

        String first = exchange(front, "GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String second = exchange(front, "GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        assertThat(first).startsWith("HTTP/1.1 200 OK\r\n").contains("GET /page HTTP/1.1");
        assertThat(second).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(runs).as("once, for the first relay only").containsExactly("relayed");
    }

    @Test
    void ambiguousFramingIsRefusedAndNeverReachesTheDevServer() throws Exception {
        PreviewFront front = front(upstream(ECHO));
        List<String> ambiguous = List.of(
                "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n",
                "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nbodyx",
                "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4, 5\r\n\r\nbodyx",
                "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: +4\r\n\r\nbody",
                "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
                "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length : 4\r\n\r\nbody",
                "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n");

        for (String request : ambiguous) {
            assertThat(exchange(front, request)).as(request).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("Connection: close\r\n");
        }
        assertThat(received).isEmpty();
    }

    @Test
    void chunkedBodiesAreReframedCanonicallyAndBrokenChunksAreNotPassedOn() throws Exception {
        PreviewFront front = front(upstream(ECHO));

        String canonical = exchange(front, "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "004;ext=1\r\nbody\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n");
        String noCrlf = exchange(front, "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "4\r\nbodyXX\r\n0\r\n\r\n");
        String signed = exchange(front, "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "-4\r\nbody\r\n0\r\n\r\n");

        assertThat(canonical).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n4\r\nbody\r\na\r\n0123456789\r\n0\r\n\r\n");
        assertThat(noCrlf).doesNotStartWith("HTTP/1.1 200");
        assertThat(signed).doesNotStartWith("HTTP/1.1 200");
    }

    /** Switches to websocket whatever was asked, then sends one line through the tunnel and ends it. */
    static final Upstream SWITCHER = (request, in, out) -> {
        out.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\ntunnel\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    };

    @Test
    void aSwitchToARequestThatDidNotAskForOneIsABadGateway() throws Exception {
        PreviewFront front = front(upstream(SWITCHER));

        String answer = exchange(front, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 502 Bad Gateway\r\n").contains("Connection: close\r\n").doesNotContain("tunnel");
    }

    @Test
    void anUpgradeGoesOnAsWebSocketAloneAndIsTunnelled() throws Exception {
        PreviewFront front = front(upstream(SWITCHER));

        String answer = exchange(front, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\n"
                + "Upgrade: websocket, h2c\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 101 Switching Protocols\r\n").endsWith("\r\n\r\ntunnel\n");
        assertThat(received).singleElement().satisfies(head -> assertThat(head)
                .contains("\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n").doesNotContain("h2c").doesNotContain("keep-alive"));
    }

    @Test
    void aFailedAcceptIsLoggedAndTheFrontKeepsAccepting() throws Exception {
        AtomicInteger failures = new AtomicInteger(3);
        ServerSocket failingFirst = new ServerSocket() {
            @Override
            public Socket accept() throws IOException {
                if (failures.getAndDecrement() > 0) {
                    throw new IOException("too many open files");
                }
                return super.accept();
            }
        };
        PreviewFront front = front(failingFirst, upstream(ECHO), PreviewFront.Timeouts.DEFAULT);

        String answer = exchange(front, "GET /answered HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").endsWith("answered by the front\n");
        assertThat(logs.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains("msg=\"accept failed\"")))
                .hasSize(3).allSatisfy(line -> assertThat(line).contains("level=error logger=preview-runtime session=s-front ")
                        .contains("error=\"java.io.IOException: too many open files\""));
    }

    private static final PreviewFront.Timeouts SHORT = new PreviewFront.Timeouts(Duration.ofMillis(500), Duration.ofMillis(500));

    @Test
    void aRequestHeadTricklingInIsCutOffAtItsDeadline() throws Exception {
        // the front's clock, moved a second on with every byte: the 30 s deadline passes after some thirty bytes, while
        // in real time each byte comes well within any per-read timeout
        AtomicLong now = new AtomicLong();
        Duration perByte = Duration.ofSeconds(1);
        PreviewFront front = front(new ServerSocket(), upstream(ECHO), PreviewFront.Timeouts.DEFAULT, now::get);
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        opened.add(trickle::shutdownNow);

        try (Socket socket = new Socket("127.0.0.1", front.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // a slow client's pace, never ending the head
            trickle.scheduleWithFixedDelay(() -> {
                now.addAndGet(perByte.toNanos());
                try {
                    out.write('x');
                    out.flush();
                } catch (IOException e) {
                    // the front closed the connection
                }
            }, 0, 20, TimeUnit.MILLISECONDS);

            int first = readOrEnd(socket.getInputStream());

            assertThat(first).isEqualTo(-1);
            assertThat(Duration.ofNanos(now.get())).isGreaterThanOrEqualTo(PreviewFront.Timeouts.DEFAULT.head());
        }
        assertThat(received).isEmpty();
    }

    /** Starts an answer, then stays silent until the front gives up on it. */
    static final Upstream SILENT = (request, in, out) -> {
        out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        in.read();
    };

    @Test
    void aRelayedAnswerThatStaysSilentIsCutOffAfterTheIdleTimeout() throws Exception {
        PreviewFront front = front(new ServerSocket(), upstream(SILENT), SHORT);

        long started = System.nanoTime();
        String answer = exchange(front, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");

        // closed (what was buffered of an answer cut short is not sent): no client waits on a silent dev server forever
        assertThat(answer).doesNotContain("partial" + "x".repeat(93));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aWebSocketTunnelMayStayIdleLongerThanTheIdleTimeout() throws Exception {
        PreviewFront front = front(new ServerSocket(), upstream((request, in, out) -> {
            if (!request.target().equals("/ws")) {
                SILENT.answer(request, in, out);
                return;
            }
            out.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
                out.flush();
            }
        }), SHORT);

        try (Socket socket = new Socket("127.0.0.1", front.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            assertThat(HttpHead.read(in, 8192).status()).isEqualTo(101);
            out.write("ping".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new String(in.readNBytes(4), StandardCharsets.ISO_8859_1)).isEqualTo("ping");

            // the tunnel stays silent while three silent answers in a row are cut off by the idle timeout, one by one
            for (int i = 0; i < 3; i++) {
                assertThat(exchange(front, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n")).doesNotContain("partial" + "x".repeat(93));
            }
            out.write("pong".getBytes(StandardCharsets.ISO_8859_1));

            assertThat(new String(in.readNBytes(4), StandardCharsets.ISO_8859_1)).isEqualTo("pong");
        }
    }

    private static int readOrEnd(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (java.net.SocketException e) {
            return -1; // a reset: closed all the same
        }
    }
}
