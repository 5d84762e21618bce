package dev.velocitypreview.router;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP and WebSocket server on 127.0.0.1 playing a preview machine:
 * <ul>
 *   <li>{@code /ws}: echoes text frames and records the close status it receives;</li>
 *   <li>{@code /ws-bye}: says "bye" and closes with 4000;</li>
 *   <li>{@code /ws-echo-request}: sends the JSON echo of its handshake request (without body) and closes;</li>
 *   <li>{@code /upload}: counts the request body as it arrives and answers the total;</li>
 *   <li>{@code /drip}: answers "first", then "second" once the test released it (any method; a body is dropped);</li>
 *   <li>anything else: a JSON echo of method, path, query, headers and body, plus headers that must not get
 *       past the router (hop-by-hop ones, a reserved preview cookie) and a publicly cacheable
 *       {@code Cache-Control}.</li>
 * </ul>
 */
final class MachineServer implements AutoCloseable {

    static final int FIRST_PART = 64 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    final BlockingQueue<WebSocketCloseStatus> closesReceived = new LinkedBlockingQueue<>();
    volatile CompletableFuture<Long> firstPartReceived = new CompletableFuture<>();
    volatile CompletableFuture<Void> releaseSecond = new CompletableFuture<>();
    private final DisposableServer server;

    MachineServer() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .ws("/ws", (in, out) -> {
                            in.receiveCloseStatus().subscribe(closesReceived::add);
                            return out.sendString(in.receive().asString());
                        })
                        .ws("/ws-bye", (in, out) -> out.sendString(Mono.just("bye"))
                                .then(out.sendClose(4000, "done")))
                        .get("/ws-echo-request", (request, response) -> response.sendWebsocket((in, out) ->
                                out.sendString(Mono.just(new String(JSON.writeValueAsBytes(describe(request, new byte[0])),
                                        StandardCharsets.UTF_8)))))
                        .post("/upload", this::upload)
                        .route(request -> "drip".equals(request.path()), (request, response) -> response.header("Content-Type", "text/plain")
                                .sendString(Flux.concat(Mono.just("first\n"),
                                        Mono.fromFuture(() -> releaseSecond).thenReturn("second\n"))))
                        .route(request -> true, this::echo))
                .bindNow();
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    private Mono<Void> upload(HttpServerRequest request, HttpServerResponse response) {
        AtomicLong total = new AtomicLong();
        CompletableFuture<Long> first = firstPartReceived;
        Mono<String> received = request.receive()
                .map(ByteBuf::readableBytes)
                .doOnNext(bytes -> {
                    if (total.addAndGet(bytes) >= FIRST_PART) {
                        first.complete(total.get());
                    }
                })
                .then(Mono.fromSupplier(() -> Long.toString(total.get())));
        return response.sendString(received).then();
    }

    private Mono<Void> echo(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
            Map<String, Object> echo = describe(request, body);
            return response.header("Content-Type", "application/json")
                    .header("X-Machine", "yes")
                    .header("Cache-Control", "public, max-age=60")
                    .addHeader("Set-Cookie", "app=1; Path=/")
                    .addHeader("Set-Cookie", "vp_preview_00000000=tossed; Path=/")
                    .header("Connection", "X-Backend-Hop")
                    .header("X-Backend-Hop", "secret")
                    .header("Proxy-Backend", "secret")
                    .sendByteArray(Mono.just(JSON.writeValueAsBytes(echo))).then();
        });
    }

    private static Map<String, Object> describe(HttpServerRequest request, byte[] body) {
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("method", request.method().name());
        echo.put("uri", request.uri());
        Map<String, String> headers = new LinkedHashMap<>();
        request.requestHeaders().forEach(header -> headers.merge(header.getKey().toLowerCase(), header.getValue(),
                (a, b) -> a + "," + b));
        echo.put("headers", headers);
        echo.put("body", new String(body, StandardCharsets.UTF_8));
        return echo;
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
