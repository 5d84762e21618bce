package dev.velocitypreview.runtime;

import static dev.velocitypreview.runtime.Bundles.Entry.directory;
import static dev.velocitypreview.runtime.Bundles.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.runtime.Bundles.Entry;
import dev.velocitypreview.runtime.FileMaterializer.Materialized;

class FileMaterializerTest {

    @TempDir
    Path temp;
    Path workDir;
    Path outside;

    @BeforeEach
    void directories() throws IOException {
        workDir = temp.resolve("work");
        outside = Files.createDirectories(temp.resolve("outside"));
    }

    private Materialized materialize(FileLimits limits, Entry... entries) throws MaterializationException {
        return new FileMaterializer(workDir, limits).materialize(Bundles.write(temp.resolve("bundle.json"), entries), null, false);
    }

    private Materialized materialize(Entry... entries) throws MaterializationException {
        return materialize(FileLimits.DEFAULT, entries);
    }

    @Test
    void filesAndDirectoriesAreWrittenUnderTheWorkDirectory() throws Exception {
        Materialized done = materialize(
                file("index.html", "<h1>héllo</h1>"),
                directory("assets/img"),
                file("./src//app.js", "console.log(1)"));

        assertThat(workDir.resolve("index.html")).hasContent("<h1>héllo</h1>");
        assertThat(workDir.resolve("src/app.js")).hasContent("console.log(1)");
        assertThat(workDir.resolve("assets/img")).isDirectory();
        assertThat(done.files()).isEqualTo(2);
        assertThat(done.directories()).isEqualTo(1);
        assertThat(done.bytes()).isEqualTo("<h1>héllo</h1>".getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 14);
        assertThat(done.header().sessionId()).isEqualTo(Bundles.SESSION);
    }

    @Test
    void aRefusedFileLaterInTheBundleMeansNothingIsWrittenAtAll() {
        assertThatThrownBy(() -> materialize(file("index.html", "ok"), file("../etc/passwd", "root::0:0")))
                .hasMessage("refused '../etc/passwd': path leaves the work directory");

        assertThat(workDir).isEmptyDirectory();
        assertThat(temp.resolve("etc")).doesNotExist();
    }

    @Test
    void anExistingSymbolicLinkOutOfTheWorkDirectoryIsRefused() throws IOException {
        Files.createDirectories(workDir);
        Files.createSymbolicLink(workDir.resolve("escape"), outside);

        assertThatThrownBy(() -> materialize(file("escape/evil.js", "x")))
                .hasMessage("refused 'escape/evil.js': path leaves the work directory through a symbolic link");
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void aFileThatIsAnExistingLinkOutOfTheWorkDirectoryIsRefused() throws IOException {
        Files.createDirectories(workDir);
        Path target = Files.writeString(outside.resolve("victim.txt"), "keep me");
        Files.createSymbolicLink(workDir.resolve("index.html"), target);

        assertThatThrownBy(() -> materialize(file("index.html", "overwritten")))
                .hasMessage("refused 'index.html': path leaves the work directory through a symbolic link");
        assertThat(target).hasContent("keep me");
    }

    @Test
    void aBrokenSymbolicLinkIsRefusedBecauseWritingThroughItCouldCreateAFileAnywhere() throws IOException {
        Files.createDirectories(workDir);
        Files.createSymbolicLink(workDir.resolve("index.html"), outside.resolve("created-by-link.txt"));

        assertThatThrownBy(() -> materialize(file("index.html", "x")))
                .hasMessage("refused 'index.html': path goes through a broken symbolic link");
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void aSymbolicLinkThatStaysInsideIsFollowed() throws Exception {
        Files.createDirectories(workDir.resolve("real"));
        Files.createSymbolicLink(workDir.resolve("alias"), workDir.resolve("real"));

        materialize(file("alias/app.js", "1"));

        assertThat(workDir.resolve("real/app.js")).hasContent("1");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedWithItsSize() {
        FileLimits limits = new FileLimits(10, 1000, 10);

        assertThatThrownBy(() -> materialize(limits, file("big.txt", "é".repeat(6))))
                .hasMessage("refused 'big.txt': file is 12 bytes, over the limit of 10 bytes");
    }

    @Test
    void aFileFarOverTheSizeLimitIsRefusedWithoutBufferingItWhole() {
        FileLimits limits = new FileLimits(10, 1000, 10);

        assertThatThrownBy(() -> materialize(limits, file("huge.bin", "x".repeat(200_000))))
                .hasMessage("refused 'huge.bin': file is over the limit of 10 bytes");
    }

    @Test
    void filesAddingUpToMoreThanTheTotalLimitAreRefusedNamingTheFileThatCrossedIt() {
        FileLimits limits = new FileLimits(10, 25, 10);

        assertThatThrownBy(() -> materialize(limits, file("a", "x".repeat(10)), file("b", "x".repeat(10)), file("c", "x".repeat(10))))
                .hasMessage("refused 'c': the files add up to more than the limit of 25 bytes");
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    void moreEntriesThanTheLimitAreRefused() {
        FileLimits limits = new FileLimits(10, 1000, 3);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            entries.add(file("f" + i, "x"));
        }

        assertThatThrownBy(() -> materialize(limits, entries.toArray(Entry[]::new)))
                .hasMessage("refused 'f3': the bundle has more than 3 files and directories");
    }

    @Test
    void aFileListedTwiceIsRefused() {
        assertThatThrownBy(() -> materialize(file("a.txt", "1"), file("./a.txt", "2")))
                .hasMessage("refused './a.txt': the bundle lists this file twice");
    }

    @Test
    void aFileUsedAsADirectoryIsRefused() {
        assertThatThrownBy(() -> materialize(file("lib", "1"), file("lib/x.js", "2")))
                .hasMessage("refused 'lib/x.js': 'lib' is a file in this bundle, not a directory");
        assertThatThrownBy(() -> materialize(file("lib/x.js", "2"), file("lib", "1")))
                .hasMessage("refused 'lib': the bundle also has this path as a directory");
    }

    @Test
    void aBundleForAnotherSessionIsRefused() {
        Path bundle = Bundles.write(temp.resolve("bundle.json"), file("index.html", "x"));

        assertThatThrownBy(() -> new FileMaterializer(workDir, FileLimits.DEFAULT).materialize(bundle, "another-session", false))
                .hasMessage("bundle is for session '" + Bundles.SESSION + "', not 'another-session'");
    }

    @Test
    void aPooledBundleIsTakenInPoolModeOnlyAndASessionsBundleOutsideItOnly() throws Exception {
        Path pooled = Bundles.writePooled(temp.resolve("pooled.json"), "react-3f1c", List.of(file("index.html", "template")));
        Path session = Bundles.write(temp.resolve("session.json"), file("index.html", "project"));
        FileMaterializer materializer = new FileMaterializer(workDir, FileLimits.DEFAULT);

        assertThatThrownBy(() -> materializer.materialize(pooled, null, false))
                .hasMessage("bundle is for warm pool 'react-3f1c', but the runtime was given no --pool-token"
                        + " (PREVIEW_POOL_TOKEN): a pooled bundle is taken in pool mode only");
        assertThatThrownBy(() -> materializer.materialize(session, null, true))
                .hasMessage("bundle is for session '" + Bundles.SESSION + "', but the runtime is in pool mode"
                        + " (--pool-token): a warm pool's machine takes a pooled bundle, which names its pool and no session");
        assertThat(workDir.resolve("index.html")).as("a refused bundle writes nothing").doesNotExist();

        Materialized done = materializer.materialize(pooled, null, true);

        assertThat(done.header().pool()).isEqualTo("react-3f1c");
        assertThat(done.header().sessionId()).isNull();
        assertThat(workDir.resolve("index.html")).hasContent("template");
        assertThat(done.held().get("index.html").version()).isZero();
    }

    @Test
    void materializingTheSameBundleAgainRewritesItsFiles() throws Exception {
        materialize(file("index.html", "one"));
        materialize(file("index.html", "two"));

        assertThat(workDir.resolve("index.html")).hasContent("two");
        try (Stream<Path> files = Files.list(workDir)) {
            assertThat(files).hasSize(1);
        }
    }
}
