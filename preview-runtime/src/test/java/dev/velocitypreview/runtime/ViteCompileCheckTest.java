package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;

/** Reading what Vite answers; the answers themselves come from a real Vite in {@code CompileCheckIT}. */
class ViteCompileCheckTest {

    private static String module(String sourcesContentJson) {
        String map = "{\"version\":3,\"mappings\":\"AAAA\",\"sources\":[\"App.jsx\"],\"sourcesContent\":" + sourcesContentJson + "}";
        return "export default 1;\n//# sourceMappingURL=data:application/json;base64,"
                + Base64.getEncoder().encodeToString(map.getBytes(StandardCharsets.UTF_8)) + "\n";
    }

    @Test
    void aCompiledModuleIsCurrentOnlyWhenItsSourceMapHoldsTheFileAsItIsNow() {
        assertThat(ViteCompileCheck.isStale(module("[\"now()\"]"), "now()")).isFalse();
        assertThat(ViteCompileCheck.isStale(module("[\"before()\"]"), "now()")).isTrue();
        assertThat(ViteCompileCheck.isStale("body { color: red }", "now()")).as("no inline map: taken as it is").isFalse();
    }

    /**
     * A machine's first sync checks every file of the project. Vite compiles what it is asked for as a browser module,
     * so a request for {@code vite.config.js} handed {@code vite} and its plugins to the dependency optimizer, whose
     * failed run left the react-native template's page blank (CI's TemplatePreviewsIT).
     */
    @Test
    void aCheckOfEveryFileAsksTheDevServerForTheBrowsersModulesAndNotForTheRootsConfigurationFiles() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        HttpServer devServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        devServer.createContext("/", exchange -> {
            asked.add(exchange.getRequestURI().getPath());
            byte[] body = "export default 1;\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        devServer.start();
        try {
            ViteCompileCheck check = new ViteCompileCheck(Path.of("/srv/work"), devServer.getAddress().getPort(),
                    HttpClient.newHttpClient(), ViteCompileCheck.BOUND,
                    new RuntimeLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "s"));

            assertThat(check.check(List.of("package.json", "index.html", "vite.config.js", "tailwind.config.ts",
                    "postcss.config.cjs", "src/main.jsx", "src/App.jsx", "src/index.css", "src/app.config.js"))).isNull();

            assertThat(asked).containsExactly("/src/main.jsx", "/src/App.jsx", "/src/index.css", "/src/app.config.js");
        } finally {
            devServer.stop(0);
        }
    }

    @Test
    void viteErrorObjectGivesAProjectRelativeFileAndAOneBasedColumn() {
        Path root = Path.of("/srv/work");
        String page = "<script type=\"module\">\n const error = {\"message\":\"/srv/work/src/App.jsx: Unterminated JSX contents. (2:30)\","
                + "\"stack\":\"at x\",\"id\":\"/srv/work/src/App.jsx?v=1\",\"plugin\":\"vite:react-babel\","
                + "\"loc\":{\"line\":2,\"column\":30,\"index\":62}}\n try {} catch {}</script>";
        ViteCompileCheck check = new ViteCompileCheck(root, 1, null, ViteCompileCheck.BOUND,
                new RuntimeLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "s"));

        assertThat(check.error("src/App.jsx", page)).isEqualTo(new dev.velocitypreview.core.edits.CompileError(
                "src/App.jsx: Unterminated JSX contents. (2:30)", "src/App.jsx", 2L, 31L));
        assertThat(check.error("src/App.jsx", "<h1>Internal Server Error</h1>").message())
                .isEqualTo("the dev server could not compile src/App.jsx (it answered 500 without an error object)");
    }
}
