package dev.velocitypreview.router.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.UUID;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.router.routing.ForwardTarget;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyHeadersTest {

    private final UUID id = UUID.randomUUID();
    private final ForwardTarget pathStyle = new ForwardTarget(id, null, URI.create("http://127.0.0.1:4000"), "/app", null, "/s/" + id);
    private final ForwardTarget hostStyle = new ForwardTarget(id, null, URI.create("http://127.0.0.1:4000"), "/app", null, null);
    private final InetSocketAddress client = new InetSocketAddress("127.0.0.7", 50000);

    @Test
    void hopByHopHeadersAndThoseConnectionNamesStayOnThisHop() {
        HttpHeaders request = new HttpHeaders();
        request.add("Connection", "keep-alive, X-Secret-Hop");
        request.add("Keep-Alive", "timeout=5");
        request.add("Proxy-Authorization", "Basic Zm9vOmJhcg==");
        request.add("Proxy-Connection", "keep-alive");
        request.add("TE", "trailers");
        request.add("Trailer", "Expires");
        request.add("Transfer-Encoding", "chunked");
        request.add("Upgrade", "h2c");
        request.add("X-Secret-Hop", "1");
        request.add("Accept", "text/html");
        request.add("Cookie", "a=1");

        HttpHeaders out = ProxyHeaders.toMachine(request, null, "http", null, hostStyle);

        assertThat(out.headerNames()).containsExactlyInAnyOrder("Accept", "Cookie", PreviewHeaders.FORWARDED_PROTO);
    }

    @Test
    void machineResponseKeepsOnlyItsEndToEndHeadersEveryValueOfThem() {
        DefaultHttpHeaders response = new DefaultHttpHeaders();
        response.add("Connection", "keep-alive, X-Secret-Hop");
        response.add("Keep-Alive", "timeout=5");
        response.add("Proxy-Connection", "keep-alive");
        response.add("Transfer-Encoding", "chunked");
        response.add("X-Secret-Hop", "1");
        response.add("Content-Type", "text/html");
        response.add("Set-Cookie", "a=1");
        response.add("Set-Cookie", "b=2");
        HttpHeaders out = new HttpHeaders();

        ProxyHeaders.copyEndToEnd(response, out);

        assertThat(out.headerNames()).containsExactlyInAnyOrder("Content-Type", "Set-Cookie");
        assertThat(out.get("Set-Cookie")).containsExactly("a=1", "b=2");
    }

    @Test
    void machineLearnsWhoAskedAndUnderWhichHostAndPrefix() {
        HttpHeaders request = new HttpHeaders();
        request.add("Host", "localhost:8081");
        request.add("X-Forwarded-For", "10.1.1.1");

        HttpHeaders out = ProxyHeaders.toMachine(request, "localhost:8081", "http", client, pathStyle);

        assertThat(out.containsHeader("Host")).isFalse();
        assertThat(out.getFirst(PreviewHeaders.FORWARDED_FOR)).isEqualTo("10.1.1.1, 127.0.0.7");
        assertThat(out.getFirst(PreviewHeaders.FORWARDED_PROTO)).isEqualTo("http");
        assertThat(out.getFirst(PreviewHeaders.FORWARDED_HOST)).isEqualTo("localhost:8081");
        assertThat(out.getFirst(PreviewHeaders.FORWARDED_PREFIX)).isEqualTo("/s/" + id);
    }

    @Test
    void theFastPathWritesForTheMachineWhatTheForwardWritesFromNettysOwnHeaders() {
        DefaultHttpHeaders netty = new DefaultHttpHeaders();
        netty.add("Host", "localhost:8081");
        netty.add("Accept", "text/html");
        netty.add("Cookie", "a=1");
        netty.add("Cookie", "b=2");
        netty.add("Connection", "keep-alive, X-Hop");
        netty.add("X-Hop", "secret");
        netty.add("Proxy-Authorization", "Basic eA==");
        netty.add("Keep-Alive", "timeout=5");
        netty.add("X-Forwarded-For", "10.1.1.1,10.2.2.2");
        netty.add("X-Forwarded-Host", "spoofed.example");
        netty.add(PreviewHeaders.FORWARDED_PREFIX, "/spoofed");
        HttpHeaders spring = new HttpHeaders(new org.springframework.http.support.Netty4HeadersAdapter(netty));

        for (ForwardTarget target : new ForwardTarget[] {pathStyle, hostStyle}) {
            HttpHeaders forwarded = ProxyHeaders.toMachine(spring, "localhost:8081", "http", client, target);
            DefaultHttpHeaders fast = new DefaultHttpHeaders();
            ProxyHeaders.writeToMachine(netty, "http", client, target, fast);

            HttpHeaders written = new HttpHeaders();
            fast.forEach(header -> written.add(header.getKey(), header.getValue()));
            assertThat(written.headerSet()).containsExactlyInAnyOrderElementsOf(forwarded.headerSet());
            assertThat(written.getFirst(PreviewHeaders.FORWARDED_FOR)).isEqualTo("10.1.1.1, 10.2.2.2, 127.0.0.7");
        }
    }

    @Test
    void hostStyleRequestsHaveNoPrefixEvenWhenTheClientSentOne() {
        HttpHeaders request = new HttpHeaders();
        request.add(PreviewHeaders.FORWARDED_PREFIX, "/spoofed");

        HttpHeaders out = ProxyHeaders.toMachine(request, id + ".preview.localhost", "https", client, hostStyle);

        assertThat(out.containsHeader(PreviewHeaders.FORWARDED_PREFIX)).isFalse();
        assertThat(out.getFirst(PreviewHeaders.FORWARDED_FOR)).isEqualTo("127.0.0.7");
        assertThat(out.getFirst(PreviewHeaders.FORWARDED_PROTO)).isEqualTo("https");
    }

    @Test
    void webSocketHandshakeOfTheClientIsNotForwarded() {
        HttpHeaders request = new HttpHeaders();
        request.add("Connection", "Upgrade");
        request.add("Upgrade", "websocket");
        request.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        request.add("Sec-WebSocket-Version", "13");
        request.add("Sec-WebSocket-Protocol", "vite-hmr");
        request.add("Origin", "http://localhost:8081");

        HttpHeaders out = ProxyHeaders.toMachineWebSocket(request, "localhost:8081", "http", client, pathStyle);

        assertThat(ProxyHeaders.isWebSocketUpgrade(request)).isTrue();
        assertThat(ProxyHeaders.webSocketProtocols(request)).containsExactly("vite-hmr");
        assertThat(out.getFirst("Origin")).isEqualTo("http://localhost:8081");
        assertThat(out.headerNames()).noneMatch(name -> name.toLowerCase().startsWith("sec-websocket")
                || name.equalsIgnoreCase("Upgrade") || name.equalsIgnoreCase("Connection"));
    }

    @Test
    void targetKeepsTheRawPathAndQueryAndTheMachineBasePath() {
        ForwardTarget target = new ForwardTarget(id, null, URI.create("https://machine.internal:8443/base/"), "/a%20b/c",
                "q=1&x=%2F", null);

        assertThat(target.httpUri()).hasToString("https://machine.internal:8443/base/a%20b/c?q=1&x=%2F");
        assertThat(target.webSocketUri()).hasToString("wss://machine.internal:8443/base/a%20b/c?q=1&x=%2F");
    }
}
