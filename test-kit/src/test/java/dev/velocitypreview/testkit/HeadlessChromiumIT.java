package dev.velocitypreview.testkit;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The browser the preview tests use starts here, reaches a host-style address on loopback and runs its script. */
class HeadlessChromiumIT {

    private static final String PAGE = """
            <!doctype html><html><body>
            <button id="counter" onclick="this.textContent = 'count is ' + (++window.count)">count is 0</button>
            <script>window.count = 0;</script>
            </body></html>""";

    /** A page whose module fails to load: its text stays the placeholder and the console names the failure. */
    private static final String BROKEN_PAGE = """
            <!doctype html><html><body><div id="root">loading</div>
            <script>console.error('failed to fetch dynamically imported module /src/App.jsx')</script>
            </body></html>""";

    @Test
    void opensAPreviewStyleHostOnLoopbackAndClicks() throws Exception {
        String[] host = new String[1];
        HttpServer server = serving(PAGE, host);
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            // Chromium resolves every *.localhost name to loopback itself, as previews' host-style addresses need
            String url = "http://0b4c3b9e-5a51-4c38-9d6c-2b1f0e8f2a11.preview.localhost:" + server.getAddress().getPort() + "/";
            browser.open(url);
            browser.awaitText("button", "count is 0", Duration.ofSeconds(20)).click();

            assertThat(browser.awaitText("button", "count is 1", Duration.ofSeconds(10)).getText()).isEqualTo("count is 1");
            assertThat(host[0]).startsWith("0b4c3b9e-5a51-4c38-9d6c-2b1f0e8f2a11.preview.localhost:");
            assertThat(browser.screenshot(Path.of("target", "screenshots", "headless-chromium.png"))).isNotEmptyFile();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aWaitThatFailsSaysWhatThePageShowedAndWhatItsConsoleSaid() throws Exception {
        HttpServer server = serving(BROKEN_PAGE, new String[1]);
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open("http://127.0.0.1:" + server.getAddress().getPort() + "/");

            assertThatThrownBy(() -> browser.awaitText("button", "count is 0", Duration.ofSeconds(2)))
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("shows \"loading\"")
                    .hasMessageContaining("SEVERE")
                    .hasMessageContaining("failed to fetch dynamically imported module /src/App.jsx");
        } finally {
            server.stop(0);
        }
    }

    private static HttpServer serving(String page, String[] host) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            host[0] = exchange.getRequestHeaders().getFirst("Host");
            byte[] body = page.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}
