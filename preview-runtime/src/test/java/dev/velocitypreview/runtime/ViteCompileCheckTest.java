package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

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
