package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ProjectPathTest {

    @Test
    void parentSegmentsAreRefusedAsLeavingTheWorkDirectory() {
        assertThatThrownBy(() -> ProjectPath.parse("../etc/passwd"))
                .hasMessage("refused '../etc/passwd': path leaves the work directory");
        assertThatThrownBy(() -> ProjectPath.parse("src/../../x"))
                .hasMessage("refused 'src/../../x': path leaves the work directory");
        assertThatThrownBy(() -> ProjectPath.parse("src/.."))
                .hasMessage("refused 'src/..': path leaves the work directory");
    }

    @Test
    void absolutePathsAreRefused() {
        assertThatThrownBy(() -> ProjectPath.parse("/etc/passwd"))
                .hasMessage("refused '/etc/passwd': path is absolute");
    }

    @Test
    void backslashesAreRefusedSoWindowsSeparatorsCannotSmuggleParentSegments() {
        assertThatThrownBy(() -> ProjectPath.parse("..\\windows\\system.ini"))
                .hasMessage("refused '..\\windows\\system.ini': path contains a backslash");
    }

    @ParameterizedTest
    @ValueSource(strings = {"C:/Windows/win.ini", "c:boot.ini"})
    void driveLettersAreRefused(String raw) {
        assertThatThrownBy(() -> ProjectPath.parse(raw))
                .hasMessage("refused '" + raw + "': path starts with a drive letter");
    }

    @Test
    void nulAndOtherControlCharactersAreRefusedAndShownEscaped() {
        assertThatThrownBy(() -> ProjectPath.parse("index.html\0.png"))
                .hasMessage("refused 'index.html\\u0000.png': path contains the control character U+0000");
        assertThatThrownBy(() -> ProjectPath.parse("a\nb"))
                .hasMessage("refused 'a\\u000ab': path contains the control character U+000A");
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "./", "./."})
    void pathsNamingTheWorkDirectoryItselfAreRefused(String raw) {
        assertThatThrownBy(() -> ProjectPath.parse(raw))
                .hasMessage("refused '" + raw + "': path names the work directory itself");
    }

    @Test
    void emptyPathsAreRefused() {
        assertThatThrownBy(() -> ProjectPath.parse("")).hasMessage("refused '': empty path");
    }

    @Test
    void overlongNamesAreRefusedBeforeTheFileSystemChokesOnThem() {
        String name = "a".repeat(256);
        assertThatThrownBy(() -> ProjectPath.parse("src/" + name))
                .hasMessageEndingWith("path has a name longer than 255 bytes");
        assertThatThrownBy(() -> ProjectPath.parse("a/".repeat(600)))
                .hasMessageEndingWith("path is longer than 1024 characters");
    }

    @ParameterizedTest
    @CsvSource({
            "index.html, index.html",
            "./src//app.js, src/app.js",
            "assets/, assets",
            "dots..in..name.txt, dots..in..name.txt",
            "..hidden, ..hidden",
            "weird:colon.txt, weird:colon.txt",
    })
    void harmlessSpellingsAreAcceptedAndNormalized(String raw, String normalized) throws Exception {
        assertThat(ProjectPath.parse(raw).normalized()).isEqualTo(normalized);
    }
}
