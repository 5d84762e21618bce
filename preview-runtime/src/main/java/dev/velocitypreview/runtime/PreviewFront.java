package dev.velocitypreview.runtime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.velocitypreview.core.http.PreviewHeaders;

/**
 * The runtime's only listener: reads each request head, lets {@link Decider} answer it (health, refusals, a
 * static project's files), or read its body first and answer from it (a warm pool's claim), or name a loopback
 * upstream (the project's dev server), and relays the request, or the upgraded connection, to that upstream.
 *
 * <p>Why hand-written on sockets: the JDK's {@code HttpServer} cannot hand over an upgraded connection, so a
 * WebSocket (a dev server's HMR channel) could not pass it, and a framework (Netty) would cost the start time and
 * memory a preview machine cannot spare. The front parses no more than request heads.
 *
 * <p>Every request is decided on its own: the front reads each request head a connection carries, and relays
 * only that request's body (by {@code Content-Length} or chunked framing) and its answer (by the answer's
 * framing), so no request reaches a project without passing {@link Decider}. Each relayed request goes to the
 * upstream on a loopback connection of its own ({@code Connection: close}); the client's connection is kept
 * when the client and the answer's framing allow it. An upgrade that the upstream accepts (101) hands the
 * connection over: from then on both directions are relayed as they are.
 *
 * <p>Slow clients: a request head must arrive whole within {@link Timeouts#head} (30 s), however its bytes trickle
 * in; a relayed plain HTTP request's body and its answer may each stay silent for {@link Timeouts#idle} (5 min) at
 * most, after which both connections are closed. A WebSocket tunnel has no idle timeout: a dev server's HMR
 * socket is silent until a file changes.
 *
 * <p>Threads: one per connection while it lasts, a second one while a request body or an upgraded connection
 * flows the other way; idle threads end after a minute. Small stacks and 8 KiB buffers keep memory low.
 */
final class PreviewFront implements AutoCloseable {

    /** What to do with one request. */
    sealed interface Route permits Answer, Relay, Receive {
    }

    /** A complete answer written by the front itself; no body for HEAD. */
    record Answer(int status, String contentType, byte[] body, Map<String, String> headers) implements Route {
        static Answer text(int status, String body) {
            return new Answer(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    /** Forward the request to {@code upstream} with {@code target} as its request target. */
    record Relay(InetSocketAddress upstream, String target) implements Route {
    }

    /**
     * Read the request's body, at most {@code maxBytes} of it, and answer from it: for the runtime's own endpoints that
     * take a body (a warm pool's claim). A longer body is not read: {@code tooLarge} answers it, and the connection
     * ends.
     */
    record Receive(long maxBytes, Answer tooLarge, Function<byte[], Answer> answer) implements Route {
    }

    /** Decides each request from its head alone; called on connection threads, concurrently. */
    interface Decider {
        Route route(HttpHead request);
    }

    /**
     * @param head how long a whole request head may take to arrive
     * @param idle how long a relayed plain HTTP body or answer may stay silent, either way
     */
    record Timeouts(java.time.Duration head, java.time.Duration idle) {
        static final Timeouts DEFAULT = new Timeouts(java.time.Duration.ofSeconds(30), java.time.Duration.ofMinutes(5));
    }

    private static final int MAX_HEAD_BYTES = 32 * 1024;
    private static final int BUFFER_BYTES = 8 * 1024;
    private static final long MIN_ACCEPT_BACKOFF_MILLIS = 10;
    private static final long MAX_ACCEPT_BACKOFF_MILLIS = 1_000;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final long THREAD_STACK_BYTES = 256 * 1024;
    /** Two per connection at most: a bound on what a flood of connections can take; more are closed at once. */
    private static final int MAX_THREADS = 512;

    private final ServerSocket listener;
    private final Timeouts timeouts;
    /** What head deadlines are measured by: {@link System#nanoTime()} (monotonic, so a wall-clock step moves none). */
    private final LongSupplier nanoTime;
    private final Decider decider;
    private final RuntimeLog log;
    private final ExecutorService threads;
    private final Thread acceptor;
    private volatile boolean closed;
    /** Run once the next relayed answer has been written; null when nothing waits for one. */
    private final AtomicReference<Runnable> afterNextRelay = new AtomicReference<>();

    PreviewFront(InetSocketAddress address, Decider decider, RuntimeLog log) throws IOException {
        this(new ServerSocket(), address, decider, log, Timeouts.DEFAULT, System::nanoTime);
    }

    /**
     * @param listener not bound yet: bound here to {@code address}
     * @param nanoTime the clock head deadlines are measured by, as {@link System#nanoTime()}
     */
    PreviewFront(ServerSocket listener, InetSocketAddress address, Decider decider, RuntimeLog log, Timeouts timeouts,
            LongSupplier nanoTime) throws IOException {
        this.listener = listener;
        this.timeouts = timeouts;
        this.nanoTime = nanoTime;
        listener.setReuseAddress(true);
        listener.bind(address, 128);
        this.decider = decider;
        this.log = log;
        AtomicInteger count = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(0, MAX_THREADS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
            Thread thread = new Thread(null, task, "preview-front-" + count.incrementAndGet(), THREAD_STACK_BYTES);
            thread.setDaemon(true);
            return thread;
        });
        this.acceptor = new Thread(null, this::accept, "preview-front-accept", THREAD_STACK_BYTES);
        // not a daemon: the one thread that keeps the runtime's JVM alive until it is closed
        acceptor.setDaemon(false);
    }

    void start() {
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /**
     * Runs {@code then} on the connection's thread once the front has written the whole of the next answer it relays
     * from the project's server (a WebSocket's switch not counted), replacing what an earlier call left waiting.
     */
    void afterNextRelay(Runnable then) {
        afterNextRelay.set(then);
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            log.warn("front not closed", "error", e.toString());
        }
        threads.shutdownNow();
    }

    /**
     * Accepts until closed. A failed accept (out of file descriptors, a connection reset before it was taken) ends
     * nothing: it is logged and the next one waits a little longer, up to a second, so that a lasting failure is no
     * busy loop and the log no flood.
     */
    private void accept() {
        long backoffMillis = 0;
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
                backoffMillis = 0;
            } catch (IOException e) {
                if (closed || listener.isClosed()) {
                    return;
                }
                backoffMillis = Math.min(MAX_ACCEPT_BACKOFF_MILLIS, Math.max(MIN_ACCEPT_BACKOFF_MILLIS, backoffMillis * 2));
                log.error("accept failed", "error", e.toString(), "retry_ms", backoffMillis);
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            try {
                threads.execute(() -> serve(client));
            } catch (RuntimeException e) {
                closeQuietly(client);
            }
        }
    }

    private void serve(Socket client) {
        HttpHead request = null;
        try (client) {
            client.setTcpNoDelay(true);
            TimedInput timed = new TimedInput(client, nanoTime);
            InputStream in = new BufferedInputStream(timed, BUFFER_BYTES);
            OutputStream out = new BufferedOutputStream(client.getOutputStream(), BUFFER_BYTES);
            boolean keepAlive = true;
            while (keepAlive) {
                // the whole head, not each read: a client sending a byte now and then is cut off all the same
                timed.headBy(nanoTime.getAsLong() + timeouts.head().toNanos());
                try {
                    request = HttpHead.read(in, MAX_HEAD_BYTES);
                } catch (HttpHead.MalformedHeadException e) {
                    answer(client, out, "GET", Answer.text(e.status, "bad request: " + e.getMessage() + "\n"), false);
                    return;
                }
                if (request == null) {
                    return;
                }
                timed.idle(idleMillis());
                String ambiguous = request.ambiguousFraming();
                if (ambiguous != null) {
                    answer(client, out, request.method(), Answer.text(400, "bad request: " + ambiguous + "\n"), false);
                    return;
                }
                // every request on the connection is decided on its own, so none reaches the project unchecked
                Route route = decider.route(request);
                boolean mayKeep = wantsKeepAlive(request);
                if (route instanceof Relay relay) {
                    keepAlive = relay(client, timed, in, out, request, relay, mayKeep);
                } else if (route instanceof Receive receive) {
                    keepAlive = receive(client, in, out, request, receive, mayKeep);
                } else {
                    // a body not read would be taken for the next request: such a connection ends with the answer
                    keepAlive = mayKeep && !hasBody(request);
                    answer(client, out, request.method(), (Answer) route, keepAlive);
                }
            }
        } catch (SocketException | SocketTimeoutException e) {
            // the client or the upstream went away mid-way, or a kept connection stayed idle: nothing to answer to
        } catch (IOException | RuntimeException e) {
            log.warn("request failed", "method", request == null ? "" : request.method(),
                    "path", request == null ? "" : pathOf(request.target()), "error", e.toString());
        }
    }

    private static boolean wantsKeepAlive(HttpHead request) {
        return request.version().equals("HTTP/1.1") && !request.hasToken("Connection", "close");
    }

    /**
     * Relays one request on a connection of its own to the upstream.
     *
     * @return true when the client's connection may carry its next request
     */
    private boolean relay(Socket client, TimedInput timed, InputStream in, OutputStream out, HttpHead request, Relay relay, boolean mayKeep)
            throws IOException {
        try (Socket upstream = new Socket()) {
            try {
                upstream.connect(relay.upstream(), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                boolean keep = mayKeep && !hasBody(request);
                answer(client, out, request.method(), Answer.text(502, "the project's server does not answer: " + e.getMessage() + "\n"), keep);
                return keep;
            }
            upstream.setTcpNoDelay(true);
            upstream.setSoTimeout(idleMillis());
            InputStream fromUpstream = new BufferedInputStream(upstream.getInputStream(), BUFFER_BYTES);
            OutputStream toUpstream = new BufferedOutputStream(upstream.getOutputStream(), BUFFER_BYTES);
            String startLine = request.method() + " " + relay.target() + " " + request.version();
            boolean upgrade = request.isWebSocketUpgrade();
            toUpstream.write(upstreamHead(request, startLine, upgrade).bytes());
            toUpstream.flush();
            Future<?> body = !upgrade && hasBody(request)
                    ? threads.submit(() -> pumpBody(request, in, toUpstream, upstream))
                    : CompletableFuture.completedFuture(null);
            while (true) {
                HttpHead response = HttpHead.read(fromUpstream, MAX_HEAD_BYTES);
                if (response == null) {
                    answer(client, out, request.method(), Answer.text(502, "the project's server closed the connection without an answer\n"), false);
                    return false;
                }
                int status = response.status();
                if (status == 101 && !(upgrade && response.hasToken("Upgrade", "websocket"))) {
                    // a switch the client did not ask for (or to another protocol) would leave it reading a stream it
                    // cannot frame; nothing after it is relayed
                    answer(client, out, request.method(), Answer.text(502, "the project's server switched protocols unasked\n"), false);
                    return false;
                }
                if (status == 101) {
                    // from here on the connection is the WebSocket's: both directions as they are, until either ends
                    out.write(response.bytes());
                    out.flush();
                    // HMR sockets stay silent for as long as no file changes: a tunnel has no idle timeout
                    timed.idle(0);
                    upstream.setSoTimeout(0);
                    threads.execute(() -> pumpAll(in, toUpstream, upstream));
                    pumpAll(fromUpstream, out, client);
                    return false;
                }
                if (status >= 100 && status < 200) {
                    // 100 Continue and the like go through as they are; the final answer follows
                    out.write(response.bytes());
                    out.flush();
                    continue;
                }
                // a body that only its end delimits (no length, not chunked) ends the client's connection too
                boolean keep = mayKeep && !upgrade && (hasNoBody(request, response)
                        || !response.values("Transfer-Encoding").isEmpty() || !response.values("Content-Length").isEmpty());
                out.write(response.forOneMessage(response.startLine(), !keep).bytes());
                copyBody(request, response, fromUpstream, out);
                out.flush();
                relayed();
                keep &= bodyDone(body);
                if (!keep) {
                    client.shutdownOutput();
                }
                return keep;
            }
        }
    }

    private void relayed() {
        // a plain read on every relay; the swap only when something waits
        if (afterNextRelay.get() != null) {
            Runnable then = afterNextRelay.getAndSet(null);
            if (then != null) {
                then.run();
            }
        }
    }

    /**
     * Reads the request's body, within the route's bound, and writes the route's answer to it.
     *
     * @return true when the client's connection may carry its next request
     */
    private boolean receive(Socket client, InputStream in, OutputStream out, HttpHead request, Receive receive,
            boolean mayKeep) throws IOException {
        boolean chunked = !request.values("Transfer-Encoding").isEmpty();
        if (!chunked && request.contentLength() > receive.maxBytes()) {
            answer(client, out, request.method(), receive.tooLarge(), false);
            return false;
        }
        if (request.hasToken("Expect", "100-continue") && hasBody(request)) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        BoundedBuffer body = new BoundedBuffer(receive.maxBytes());
        try {
            if (chunked) {
                readChunked(in, body);
            } else {
                copyExactly(in, body, Math.max(0, request.contentLength()));
            }
        } catch (BoundedBuffer.Full e) {
            answer(client, out, request.method(), receive.tooLarge(), false);
            return false;
        } catch (IOException | NumberFormatException e) {
            answer(client, out, request.method(), Answer.text(400, "bad request: the body cannot be read: " + e.getMessage() + "\n"), false);
            return false;
        }
        answer(client, out, request.method(), receive.answer().apply(body.toByteArray()), mayKeep);
        return mayKeep;
    }

    /**
     * What the upstream gets: never the router's {@value PreviewHeaders#FLY_REPLAY_SOURCE}, as it carries the replay
     * secret and the project's code is untrusted.
     */
    private static HttpHead upstreamHead(HttpHead request, String startLine, boolean upgrade) {
        HttpHead head = request.without(PreviewHeaders.FLY_REPLAY_SOURCE);
        if (!request.values("Content-Length").isEmpty()) {
            // repeated equal values (all ambiguousFraming lets through) go on as one
            List<Map.Entry<String, String>> fields = new ArrayList<>(head.without("Content-Length").fields());
            fields.add(Map.entry("Content-Length", Long.toString(request.contentLength())));
            head = new HttpHead(head.startLine(), fields);
        }
        if (!upgrade) {
            return head.forOneMessage(startLine);
        }
        // only websocket is offered, whatever else the client listed: the front relays no other protocol
        List<Map.Entry<String, String>> fields = new ArrayList<>(head.forOneMessage(startLine, false).fields());
        fields.add(Map.entry("Connection", "Upgrade"));
        fields.add(Map.entry("Upgrade", "websocket"));
        return new HttpHead(startLine, fields);
    }

    private int idleMillis() {
        return (int) Math.max(1, timeouts.idle().toMillis());
    }

    /**
     * The client's bytes with a timeout set before each read: what is left of the head's deadline while a head is
     * read, the idle timeout otherwise (none in a tunnel).
     */
    private static final class TimedInput extends FilterInputStream {
        private final Socket socket;
        private final LongSupplier nanoTime;
        private long headDeadlineNanos;
        private boolean head;
        private int idleMillis;

        TimedInput(Socket socket, LongSupplier nanoTime) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
            this.nanoTime = nanoTime;
        }

        synchronized void headBy(long deadlineNanos) {
            head = true;
            headDeadlineNanos = deadlineNanos;
        }

        /** @param millis 0 for none */
        synchronized void idle(int millis) {
            head = false;
            idleMillis = millis;
        }

        private void arm() throws IOException {
            int timeout;
            synchronized (this) {
                if (head) {
                    long left = headDeadlineNanos - nanoTime.getAsLong();
                    if (left <= 0) {
                        throw new SocketTimeoutException("the request head did not arrive in time");
                    }
                    timeout = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
                } else {
                    timeout = idleMillis;
                }
            }
            socket.setSoTimeout(timeout);
        }

        @Override
        public int read() throws IOException {
            arm();
            return super.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            arm();
            return super.read(buffer, offset, length);
        }
    }

    /** True once the request's body went through; the answer may come before it did (a refusal of a large upload). */
    private static boolean bodyDone(Future<?> body) {
        try {
            body.get(1, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            body.cancel(true);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean hasNoBody(HttpHead request, HttpHead response) {
        int status = response.status();
        return request.method().equals("HEAD") || status == 204 || status == 304;
    }

    /** A response's body by its framing (RFC 9112 6.3), so an upgrade the server declined ends here too. */
    private static void copyBody(HttpHead request, HttpHead response, InputStream in, OutputStream out) throws IOException {
        if (hasNoBody(request, response)) {
            return;
        }
        if (!response.values("Transfer-Encoding").isEmpty()) {
            copyChunked(in, out);
        } else if (!response.values("Content-Length").isEmpty()) {
            copyExactly(in, out, response.contentLength());
        } else {
            in.transferTo(out);
        }
    }

    /** Copies until the source ends, then ends the destination's output (a half-close, as WebSocket peers expect). */
    private static void pumpAll(InputStream from, OutputStream to, Socket toSocket) {
        try {
            byte[] buffer = new byte[BUFFER_BYTES];
            int read;
            while ((read = from.read(buffer)) >= 0) {
                to.write(buffer, 0, read);
                to.flush();
            }
            toSocket.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(toSocket);
        }
    }

    private static boolean hasBody(HttpHead request) {
        return !request.values("Transfer-Encoding").isEmpty() || request.contentLength() > 0;
    }

    /** Relays this request's body and nothing after it: a second request on the connection never reaches the project. */
    private static void pumpBody(HttpHead request, InputStream in, OutputStream out, Socket upstream) {
        try {
            if (!request.values("Transfer-Encoding").isEmpty()) {
                copyChunked(in, out);
            } else {
                copyExactly(in, out, request.contentLength());
            }
            out.flush();
        } catch (IOException | NumberFormatException e) {
            closeQuietly(upstream);
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        long left = length;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new IOException("the body ended " + left + " bytes early");
            }
            out.write(buffer, 0, read);
            left -= read;
        }
    }

    /**
     * A chunked body (RFC 9112 7.1), re-framed canonically as it goes: each chunk as its size in hex, CRLF, its data,
     * CRLF; no chunk extensions, no trailers (read and dropped). Refused: a size that is not plain hex (signs,
     * spaces, overflow), chunk data not followed by exactly CRLF.
     */
    static void copyChunked(InputStream in, OutputStream out) throws IOException {
        chunks(in, out, true);
    }

    /** A chunked body's data alone, read with the rules of {@link #copyChunked}: for a body the runtime reads itself. */
    static void readChunked(InputStream in, OutputStream out) throws IOException {
        chunks(in, out, false);
    }

    private static void chunks(InputStream in, OutputStream out, boolean reframe) throws IOException {
        while (true) {
            String sizeLine = line(in);
            int semicolon = sizeLine.indexOf(';');
            String digits = semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon);
            if (!digits.matches("[0-9A-Fa-f]{1,15}")) {
                throw new IOException("not a chunk size: " + digits.length() + " characters");
            }
            long size = Long.parseLong(digits, 16);
            if (reframe) {
                out.write((Long.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // a trailer field: dropped, as no one here asked for them
                }
                if (reframe) {
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                return;
            }
            copyExactly(in, out, size);
            if (in.read() != '\r' || in.read() != '\n') {
                throw new IOException("chunk data not followed by CRLF");
            }
            if (reframe) {
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (line.length() > MAX_HEAD_BYTES) {
                throw new IOException("a chunk line is longer than " + MAX_HEAD_BYTES + " bytes");
            }
            line.append((char) b);
        }
        if (b < 0) {
            throw new IOException("the chunked body ended early");
        }
        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
        return line.substring(0, end);
    }

    private static void answer(Socket client, OutputStream out, String method, Answer answer, boolean keepAlive) throws IOException {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        fields.add(Map.entry("Content-Type", answer.contentType()));
        if (!answer.headers().containsKey("Cache-Control")) {
            fields.add(Map.entry("Cache-Control", "no-store"));
        }
        fields.add(Map.entry("Content-Length", Integer.toString(answer.body().length)));
        answer.headers().forEach((name, value) -> fields.add(Map.entry(name, value)));
        if (!keepAlive) {
            fields.add(Map.entry("Connection", "close"));
        }
        out.write(new HttpHead("HTTP/1.1 " + answer.status() + " " + reason(answer.status()), fields).bytes());
        if (!method.equals("HEAD")) {
            out.write(answer.body());
        }
        out.flush();
        if (!keepAlive) {
            // a half-close, so that a body the client is still sending does not turn our answer into a reset
            client.shutdownOutput();
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 302 -> "Found";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 422 -> "Unprocessable Content";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status " + status;
        };
    }

    static String pathOf(String target) {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that was left to do
        }
    }
}
