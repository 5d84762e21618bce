package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.runtime.BundleReader.BundleEntry;
import dev.velocitypreview.runtime.BundleReader.BundleHeader;

class BundleReaderTest {

    @TempDir
    Path temp;

    private final BundleReader reader = new BundleReader(1024);

    private String failureOf(String json) {
        Path bundle = Bundles.raw(temp.resolve("bundle.json"), json);
        return catchThrowableOfType(MaterializationException.class,
                () -> reader.read(bundle, entry -> { })).getMessage();
    }

    @Test
    void entriesArriveInOrderWithTheHeader() throws Exception {
        Path bundle = Bundles.raw(temp.resolve("bundle.json"), """
                {"files":[{"path":"index.html","content":"<p>","directory":false},{"path":"src","directory":true}],
                 "sessionId":"s-1","projectId":"p-1"}""");
        List<BundleEntry> entries = new ArrayList<>();

        BundleHeader header = reader.read(bundle, entries::add);

        assertThat(header).isEqualTo(new BundleHeader("s-1", "p-1", null, 2));
        assertThat(entries).containsExactly(
                new BundleEntry(0, "index.html", "<p>", false),
                new BundleEntry(1, "src", null, true));
    }

    @Test
    void aPooledBundleNamesItsPoolAndNoSession() throws Exception {
        Path bundle = Bundles.raw(temp.resolve("bundle.json"), """
                {"pool":"react-3f1c","files":[{"path":"index.html","content":"<p>","directory":false}]}""");

        BundleHeader header = reader.read(bundle, entry -> { });

        assertThat(header).isEqualTo(new BundleHeader(null, null, "react-3f1c", 1));
        assertThat(header.pooled()).isTrue();
        assertThat(failureOf("{\"pool\":\"react\",\"sessionId\":\"s\",\"files\":[]}"))
                .isEqualTo("bundle: a bundle is a session's (sessionId, projectId) or a warm pool's (pool), not both");
        assertThat(failureOf("{\"pool\":\"react\",\"projectId\":\"p\",\"files\":[]}"))
                .isEqualTo("bundle: a bundle is a session's (sessionId, projectId) or a warm pool's (pool), not both");
        assertThat(failureOf("{\"pool\":7,\"files\":[]}")).isEqualTo("bundle: pool must be a string");
    }

    @Test
    void malformedJsonIsReportedWithWhereItBroke() {
        assertThat(failureOf("{\"sessionId\":\"s\", \"files\":[{\"path\":}]}"))
                .startsWith("bundle is not valid JSON: ")
                .contains("line 1, column");
    }

    @Test
    void aTruncatedBundleIsReportedAsInvalidJson() {
        assertThat(failureOf("{\"sessionId\":\"s\",\"projectId\":\"p\",\"files\":[{\"path\":\"a\",\"content\":\"x"))
                .startsWith("bundle is not valid JSON: ");
    }

    @Test
    void structuralMistakesNameTheField() {
        assertThat(failureOf("[]")).isEqualTo("bundle: must be a JSON object");
        assertThat(failureOf("{\"sessionId\":\"s\",\"projectId\":\"p\",\"files\":{}}")).isEqualTo("bundle: files must be an array");
        assertThat(failureOf("{\"sessionId\":\"s\",\"projectId\":\"p\",\"files\":[{\"path\":7}]}")).isEqualTo("bundle: files[0].path must be a string");
        assertThat(failureOf("{\"sessionId\":\"s\",\"projectId\":\"p\",\"files\":[{\"content\":\"x\"}]}")).isEqualTo("bundle: files[0].path is required");
        assertThat(failureOf("{\"sessionId\":\"s\",\"projectId\":\"p\",\"files\":[{\"path\":\"a\"}]}"))
                .isEqualTo("bundle: files[0] ('a'): content is required for a file");
        assertThat(failureOf("{\"sessionId\":\"s\",\"projectId\":\"p\",\"files\":[{\"path\":\"a\",\"content\":\"\",\"mode\":\"0777\"}]}"))
                .isEqualTo("bundle: files[0]: unknown field 'mode'");
        assertThat(failureOf("{\"sessionId\":\"s\",\"projectId\":\"p\",\"files\":[],\"extra\":1}")).isEqualTo("bundle: unknown field 'extra'");
        assertThat(failureOf("{\"projectId\":\"p\",\"files\":[]}")).isEqualTo("bundle: sessionId is required");
        assertThat(failureOf("{\"sessionId\":\"s\",\"projectId\":\"p\"}")).isEqualTo("bundle: files is required");
        assertThat(failureOf("{\"sessionId\":\"s\",\"projectId\":\"p\",\"files\":[]} {}")).isEqualTo("bundle: unexpected content after the bundle object");
    }

    @Test
    void aMissingBundleFileIsReportedWithItsPath() {
        Path missing = temp.resolve("nope.json");

        assertThatThrownBy(() -> reader.read(missing, entry -> { }))
                .hasMessage("cannot read bundle '" + missing + "': no such file");
    }
}
