package dev.velocitypreview.runtime;

import static dev.velocitypreview.runtime.Bundles.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.core.edits.FileState;
import dev.velocitypreview.core.edits.FileVersion;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;

/** Sync answers applied to a real materialized project: what lands on disk and in the manifest the next sync sends. */
class EditWriterTest {

    @TempDir
    Path temp;
    Path root;
    HeldFiles held;

    @BeforeEach
    void materialized() throws Exception {
        FileMaterializer.Materialized done = new FileMaterializer(temp.resolve("work"), FileLimits.DEFAULT).materialize(
                Bundles.write(temp.resolve("bundle.json"), file("index.html", "<h1>hi</h1>"), file("src/app.js", "one()"),
                        file("src/old.js", "old()")), null, false);
        root = done.workDir();
        held = done.held();
    }

    private EditWriter writer(FileLimits limits) {
        return new EditWriter(root, limits, held);
    }

    private static SyncedFile synced(String path, long version, String content) {
        return new SyncedFile(path, version, HeldFiles.sha256(HeldFiles.utf8(content)), content);
    }

    /** Every file under the root with its content, temporary files included, to show nothing else changed. */
    private Map<String, String> tree() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }

    @Test
    void theBundlesFilesAreHeldAtVersionZeroWithTheirHashes() {
        assertThat(held.states()).containsExactly(
                new FileState("index.html", 0, HeldFiles.sha256(HeldFiles.utf8("<h1>hi</h1>"))),
                new FileState("src/app.js", 0, HeldFiles.sha256(HeldFiles.utf8("one()"))),
                new FileState("src/old.js", 0, HeldFiles.sha256(HeldFiles.utf8("old()"))));
    }

    @Test
    void anAnswerIsWrittenAndHeldWithItsVersions() throws Exception {
        EditWriter.Applied applied = writer(FileLimits.DEFAULT).apply(new SyncResponse(
                List.of(synced("src/app.js", 4, "two()"), synced("src/deep/new.jsx", 1, "<p>new</p>")), List.of()));

        assertThat(tree()).containsExactlyEntriesOf(new TreeMap<>(Map.of("index.html", "<h1>hi</h1>",
                "src/app.js", "two()", "src/deep/new.jsx", "<p>new</p>", "src/old.js", "old()")));
        assertThat(applied.written()).containsExactly(new FileVersion("src/app.js", 4), new FileVersion("src/deep/new.jsx", 1));
        assertThat(applied.changed()).containsExactly("src/app.js", "src/deep/new.jsx");
        assertThat(held.states()).contains(new FileState("src/app.js", 4, HeldFiles.sha256(HeldFiles.utf8("two()"))),
                new FileState("src/deep/new.jsx", 1, HeldFiles.sha256(HeldFiles.utf8("<p>new</p>"))));
    }

    @Test
    void aFileWithoutContentKeepsItsContentAndTakesTheVersion() throws Exception {
        Path app = root.resolve("src/app.js");
        Object inode = Files.getAttribute(app, "unix:ino");

        EditWriter.Applied applied = writer(FileLimits.DEFAULT).apply(new SyncResponse(
                List.of(new SyncedFile("src/app.js", 7, HeldFiles.sha256(HeldFiles.utf8("one()")), null)), List.of()));

        assertThat(app).hasContent("one()");
        assertThat(Files.getAttribute(app, "unix:ino")).as("not written again").isEqualTo(inode);
        assertThat(applied.written()).containsExactly(new FileVersion("src/app.js", 7));
        assertThat(applied.changed()).isEmpty();
        assertThat(held.get("src/app.js").version()).isEqualTo(7);
    }

    @Test
    void deletedFilesAreRemovedAndNoLongerHeld() throws Exception {
        EditWriter.Applied applied = writer(FileLimits.DEFAULT).apply(new SyncResponse(List.of(), List.of("src/old.js")));

        assertThat(root.resolve("src/old.js")).doesNotExist();
        assertThat(applied.deleted()).containsExactly("src/old.js");
        assertThat(held.get("src/old.js")).isNull();
        assertThat(held.states()).extracting(FileState::path).containsExactly("index.html", "src/app.js");
    }

    @Test
    void aFileCanTakeThePlaceOfADirectoryTheSameAnswerEmpties() throws Exception {
        writer(FileLimits.DEFAULT).apply(new SyncResponse(List.of(synced("src/old.js/inner.js", 2, "x()")), List.of("src/old.js")));

        assertThat(root.resolve("src/old.js/inner.js")).hasContent("x()");
    }

    @Test
    void anAnswerBreakingAnyRuleIsRefusedWholeAndWritesNothing() throws Exception {
        Map<String, String> before = tree();
        List<FileState> heldBefore = held.states();
        SyncedFile good = synced("src/app.js", 2, "two()");
        Map<SyncResponse, String> refused = new java.util.LinkedHashMap<>();
        refused.put(new SyncResponse(List.of(good, synced("../escape.js", 1, "x")), List.of()),
                "refused '../escape.js': path leaves the work directory");
        refused.put(new SyncResponse(List.of(good, synced("/etc/passwd", 1, "x")), List.of()),
                "refused '/etc/passwd': path is absolute");
        refused.put(new SyncResponse(List.of(good, synced("src\\evil.js", 1, "x")), List.of()),
                "refused 'src\\evil.js': path contains a backslash");
        refused.put(new SyncResponse(List.of(good, synced("node_modules/react/index.js", 1, "x")), List.of()),
                "refused 'node_modules/react/index.js': path is under node_modules, which the machine owns");
        refused.put(new SyncResponse(List.of(good, synced(".git/config", 1, "x")), List.of()),
                "refused '.git/config': path is under .git, which the machine owns");
        refused.put(new SyncResponse(List.of(good, synced("./src//b.js", 1, "x")), List.of()),
                "refused './src//b.js': path is not in its normal form 'src/b.js'");
        refused.put(new SyncResponse(List.of(good, new SyncedFile("src/b.js", 1, "00", "x")), List.of()),
                "refused 'src/b.js': the content does not have the SHA-256 the answer gives for it");
        refused.put(new SyncResponse(List.of(good, new SyncedFile("src/b.js", 1, "00", null)), List.of()),
                "refused 'src/b.js': the answer sends no content, but this machine does not hold the file");
        refused.put(new SyncResponse(List.of(good, new SyncedFile("index.html", 3, "00", null)), List.of()),
                "refused 'index.html': the answer sends no content, but this machine's copy has another SHA-256");
        refused.put(new SyncResponse(List.of(good), List.of("package.json")),
                "refused 'package.json': the answer deletes a file this machine does not hold");
        refused.put(new SyncResponse(List.of(good, synced("src/app.js", 3, "three()")), List.of()),
                "refused 'src/app.js': the answer names this file twice");
        refused.put(new SyncResponse(List.of(good, synced("src/app.js/x.js", 1, "x")), List.of()),
                "refused 'src/app.js/x.js': 'src/app.js' is a file, not a directory");
        refused.put(new SyncResponse(List.of(good, synced("src", 1, "x")), List.of()),
                "refused 'src': a directory is at this path");
        for (Map.Entry<SyncResponse, String> answer : refused.entrySet()) {
            assertThatThrownBy(() -> writer(FileLimits.DEFAULT).apply(answer.getKey())).as(answer.getValue())
                    .isInstanceOf(MaterializationException.class).hasMessage(answer.getValue());
        }
        assertThatThrownBy(() -> writer(new FileLimits(4, 1000, 100)).apply(new SyncResponse(List.of(good), List.of())))
                .hasMessage("refused 'src/app.js': file is 5 bytes, over the limit of 4 bytes");
        assertThatThrownBy(() -> writer(new FileLimits(100, 24, 100)).apply(new SyncResponse(List.of(synced("b.js", 1, "bb()")), List.of())))
                .hasMessage("refused the answer: the files would add up to 25 bytes, over the limit of 24 bytes");
        assertThatThrownBy(() -> writer(new FileLimits(100, 1000, 3)).apply(new SyncResponse(List.of(synced("b.js", 1, "b")), List.of())))
                .hasMessage("refused the answer: the project would have 4 files, over the limit of 3");

        assertThat(tree()).isEqualTo(before);
        assertThat(held.states()).isEqualTo(heldBefore);
    }

    @Test
    void aPathThroughALinkOutOfTheRootIsRefused() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("linked"), outside);

        assertThatThrownBy(() -> writer(FileLimits.DEFAULT).apply(new SyncResponse(
                List.of(synced("linked/evil.js", 1, "x")), List.of())))
                .hasMessage("refused 'linked/evil.js': path leaves the work directory through a symbolic link");
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void aWriteReplacesALinkAtItsPathInsteadOfWritingThroughIt() throws Exception {
        Path target = Files.writeString(root.resolve("target.txt"), "kept");
        Files.delete(root.resolve("src/app.js"));
        Files.createSymbolicLink(root.resolve("src/app.js"), target);

        writer(FileLimits.DEFAULT).apply(new SyncResponse(List.of(synced("src/app.js", 2, "two()")), List.of()));

        assertThat(Files.isSymbolicLink(root.resolve("src/app.js"))).isFalse();
        assertThat(root.resolve("src/app.js")).hasContent("two()");
        assertThat(target).hasContent("kept");
    }
}
