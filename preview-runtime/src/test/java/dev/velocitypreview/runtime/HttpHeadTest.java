package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class HttpHeadTest {

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aRequestHeadIsReadUpToItsEmptyLineAndNoFurther() throws IOException {
        InputStream in = stream("\r\nPOST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody");

        HttpHead head = HttpHead.read(in, 1024);

        assertThat(head.method()).isEqualTo("POST");
        assertThat(head.target()).isEqualTo("/a?b=1");
        assertThat(head.version()).isEqualTo("HTTP/1.1");
        assertThat(head.values("content-length")).containsExactly("4");
        assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("body");
    }

    @Test
    void aResponseHeadMayHaveNoReasonPhrase() throws IOException {
        assertThat(HttpHead.read(stream("HTTP/1.1 204\r\n\r\n"), 1024).status()).isEqualTo(204);
        assertThat(HttpHead.read(stream("HTTP/1.1 200 OK\r\n\r\n"), 1024).status()).isEqualTo(200);
    }

    @Test
    void anEmptyStreamIsNoRequestAndABrokenHeadIsRefusedWithItsStatus() throws IOException {
        assertThat(HttpHead.read(stream(""), 1024)).isNull();
        assertThatThrownBy(() -> HttpHead.read(stream("GET / HTTP/1.1\r\nHost: x\r\n"), 1024))
                .isInstanceOfSatisfying(HttpHead.MalformedHeadException.class, e -> assertThat(e.status).isEqualTo(400));
        assertThatThrownBy(() -> HttpHead.read(stream("GET / HTTP/1.1\r\nX: " + "y".repeat(2000) + "\r\n\r\n"), 1024))
                .isInstanceOfSatisfying(HttpHead.MalformedHeadException.class, e -> assertThat(e.status).isEqualTo(431));
        assertThatThrownBy(() -> HttpHead.read(stream("GET / HTTP/1.1\r\n folded: x\r\n\r\n"), 1024))
                .isInstanceOfSatisfying(HttpHead.MalformedHeadException.class, e -> assertThat(e.status).isEqualTo(400));
        assertThatThrownBy(() -> HttpHead.read(stream("hello\r\n\r\n"), 1024))
                .isInstanceOf(HttpHead.MalformedHeadException.class);
    }

    @Test
    void aHeadForOneMessageDropsTheConnectionsOwnFields() throws IOException {
        HttpHead head = HttpHead.read(stream("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: 5\r\n"
                + "X-Hop: 1\r\nX-Kept: 2\r\nUpgrade: h2c\r\n\r\n"), 1024);

        HttpHead forwarded = head.forOneMessage("GET /b HTTP/1.1");

        assertThat(new String(forwarded.bytes(), StandardCharsets.ISO_8859_1))
                .isEqualTo("GET /b HTTP/1.1\r\nHost: x\r\nX-Kept: 2\r\nConnection: close\r\n\r\n");
        assertThat(head.isWebSocketUpgrade()).isFalse();
    }

    @Test
    void aWebSocketUpgradeNeedsBothItsFields() throws IOException {
        assertThat(HttpHead.read(stream("GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n"), 1024)
                .isWebSocketUpgrade()).isTrue();
        assertThat(HttpHead.read(stream("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"), 1024).isWebSocketUpgrade()).isFalse();
    }
}
