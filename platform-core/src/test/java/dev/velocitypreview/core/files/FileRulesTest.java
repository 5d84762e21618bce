package dev.velocitypreview.core.files;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileRulesTest {

    private final FileRules rules = FileRules.DEFAULTS;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/etc/passwd|absolute_path",
            "../secret|dot_segment",
            "src/../../x|dot_segment",
            "./src/App.jsx|dot_segment",
            "src//App.jsx|empty_segment",
            "src/|empty_segment",
            "src\\App.jsx|backslash_in_path",
            "..\\..\\x|backslash_in_path",
            "node_modules/react/index.js|reserved_segment",
            "packages/a/node_modules/x.js|reserved_segment",
            ".git/config|reserved_segment"})
    void everyUnsafePathIsRefusedWithItsOwnCode(String path, String code) {
        assertThatThrownBy(() -> rules.checkPath(path)).isInstanceOfSatisfying(FileRefusedException.class,
                e -> {
                    assertThat(e.refusal().code()).isEqualTo(code);
                    assertThat(e.refusal().status()).isEqualTo(400);
                });
    }

    @Test
    void controlCharactersAndNulInAPathAreRefusedNamingWhere() {
        for (String path : new String[] {"src/a\u0000.js", "src/a\n.js", "a\u007f"}) {
            assertThatThrownBy(() -> rules.checkPath(path)).isInstanceOfSatisfying(FileRefusedException.class,
                    e -> assertThat(e.refusal().code()).isEqualTo(FileRefusal.CONTROL_CHARACTER));
        }
    }

    @Test
    void aPathLongerThanTheLimitIsRefusedNamingTheLimit() {
        String path = "a".repeat(513);
        assertThatThrownBy(() -> rules.checkPath(path)).isInstanceOfSatisfying(FileRefusedException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo(FileRefusal.PATH_TOO_LONG);
            assertThat(e.refusal().detail()).contains("513", "512");
        });
        rules.checkPath("a".repeat(512));
    }

    @Test
    void ordinaryPathsPass() {
        rules.checkPath("src/App.jsx");
        rules.checkPath("index.html");
        rules.checkPath(".gitignore");
        rules.checkPath("src/.hidden/file name.txt");
        rules.checkPath("docs/ünïcode.md");
    }

    @Test
    void aFileLargerThanTheLimitIsTooLarge() {
        byte[] big = new byte[(1 << 20) + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        assertThatThrownBy(() -> rules.checkContent("big.txt", big)).isInstanceOfSatisfying(FileRefusedException.class,
                e -> {
                    assertThat(e.refusal().code()).isEqualTo(FileRefusal.FILE_TOO_LARGE);
                    assertThat(e.refusal().status()).isEqualTo(413);
                    assertThat(e.refusal().detail()).contains("1048577", "1048576");
                });
    }

    @Test
    void bytesThatAreNotUtf8TextAreBinary() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
        assertThatThrownBy(() -> rules.checkContent("logo.png", png)).isInstanceOfSatisfying(FileRefusedException.class,
                e -> {
                    assertThat(e.refusal().code()).isEqualTo(FileRefusal.BINARY_CONTENT);
                    assertThat(e.refusal().status()).isEqualTo(415);
                });
        assertThatThrownBy(() -> rules.checkContent("a.txt", "a\u0000b".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(FileRefusedException.class,
                        e -> assertThat(e.refusal().code()).isEqualTo(FileRefusal.BINARY_CONTENT));
        assertThatThrownBy(() -> rules.checkContent("a.txt", "lone \ud800 surrogate"))
                .isInstanceOfSatisfying(FileRefusedException.class,
                        e -> assertThat(e.refusal().code()).isEqualTo(FileRefusal.BINARY_CONTENT));
    }

    @Test
    void textComesBackAsWritten() {
        assertThat(rules.checkContent("a.txt", "héllo 👋\n".getBytes(StandardCharsets.UTF_8))).isEqualTo("héllo 👋\n");
    }

    @Test
    void packageJsonMustBeAnObjectAndTheLockfileMustHaveALockfileVersion() {
        assertThatThrownBy(() -> rules.checkContent("package.json", "[1]")).isInstanceOfSatisfying(
                FileRefusedException.class, e -> assertThat(e.refusal().code()).isEqualTo(FileRefusal.INVALID_PACKAGE_JSON));
        assertThatThrownBy(() -> rules.checkContent("app/package.json", "{\"name\":")).isInstanceOfSatisfying(
                FileRefusedException.class, e -> assertThat(e.refusal().code()).isEqualTo(FileRefusal.INVALID_PACKAGE_JSON));
        assertThatThrownBy(() -> rules.checkContent("package-lock.json", "{\"name\":\"x\"}")).isInstanceOfSatisfying(
                FileRefusedException.class, e -> assertThat(e.refusal().code()).isEqualTo(FileRefusal.INVALID_PACKAGE_LOCK));
        rules.checkContent("package.json", "{\"name\":\"x\",\"scripts\":{\"dev\":\"vite\"}}");
        rules.checkContent("package-lock.json", "{\"name\":\"x\",\"lockfileVersion\":3}");
    }

    @Test
    void projectLimitsNameTheLimit() {
        rules.checkProject(5000, 50L << 20);
        assertThatThrownBy(() -> rules.checkProject(5001, 10)).isInstanceOfSatisfying(FileRefusedException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo(FileRefusal.TOO_MANY_FILES);
            assertThat(e.refusal().detail()).contains("5000");
        });
        assertThatThrownBy(() -> rules.checkProject(1, (50L << 20) + 1)).isInstanceOfSatisfying(FileRefusedException.class,
                e -> assertThat(e.refusal().code()).isEqualTo(FileRefusal.PROJECT_TOO_LARGE));
    }

    @Test
    void sizeIsTheUtf8ByteCount() {
        String text = "aé€👋";
        assertThat(FileRules.sizeOf(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        assertThat(FileRules.sha256("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
