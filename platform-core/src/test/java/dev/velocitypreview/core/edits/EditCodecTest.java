package dev.velocitypreview.core.edits;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.json.MalformedRecordException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EditCodecTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00.123Z");
    private static final EditResult BROKEN = new EditResult(List.of(new FileVersion("src/App.jsx", 7)), List.of("old.js"),
            EditOutcome.COMPILE_ERROR, new CompileError("Unexpected token", "src/App.jsx", 4L, 12L), AT);
    private static final EditResult APPLIED = new EditResult(List.of(), List.of(), EditOutcome.APPLIED, null, AT);

    @Test
    void syncMessagesRoundTrip() {
        SyncRequest request = new SyncRequest(List.of(new FileState("src/App.jsx", 0, "ab".repeat(32))),
                List.of(BROKEN, APPLIED));
        assertThat(EditCodec.decodeRequest(EditCodec.encodeRequest(request))).isEqualTo(request);

        SyncResponse response = new SyncResponse(List.of(
                new SyncedFile("src/App.jsx", 8, "cd".repeat(32), "export default () => \"\\u0000 é\";"),
                new SyncedFile("index.html", 2, "ef".repeat(32), null)), List.of("gone.txt"));
        assertThat(EditCodec.decodeResponse(EditCodec.encodeResponse(response))).isEqualTo(response);
    }

    @Test
    void kafkaValuesRoundTrip() {
        SessionEditReport report = new SessionEditReport(UUID.randomUUID(), UUID.randomUUID(), BROKEN);
        assertThat(EditCodec.decodeReport(EditCodec.encodeReport(report))).isEqualTo(report);
        ProjectFileNotice notice = new ProjectFileNotice(UUID.randomUUID(), "src/a b.js", 3, true);
        assertThat(EditCodec.decodeNotice(EditCodec.encodeNotice(notice))).isEqualTo(notice);
    }

    @Test
    void untrustedBodiesAreRefusedNamingTheField() {
        assertRefused("{\"files\":[],\"results\":[],\"extra\":1}", "sync request: extra: is not a known field");
        assertRefused("{\"files\":[{\"path\":\"a\",\"version\":\"1\",\"sha256\":\"x\"}],\"results\":[]}",
                "sync request: files[0].version: must be a whole number");
        assertRefused("{\"files\":[{\"path\":\"a\",\"version\":-1,\"sha256\":\"x\"}],\"results\":[]}",
                "version of a is negative");
        assertRefused("{\"files\":[]}", "sync request: results is required");
        assertRefused("{\"files\":[],\"results\":[]} []", "trailing content");
        assertRefused("{\"files\":[],\"results\":[{\"written\":[],\"deleted\":[],\"outcome\":\"applied\","
                + "\"error\":{\"message\":\"x\"},\"at\":\"2026-12-01T10:00:00Z\"}]}", "only a compile error");
        assertRefused("{\"files\":[],\"results\":[{\"written\":[],\"deleted\":[],\"outcome\":\"maybe\","
                + "\"error\":null,\"at\":\"2026-12-01T10:00:00Z\"}]}", "outcome must be applied or compile_error");
        assertRefused("{\"files\":", "not valid JSON");
        assertRefused("{\"files\":[],\"files\":[],\"results\":[]}", "files: appears twice");
    }

    @Test
    void aLongCompileMessageIsCut() {
        CompileError error = new CompileError("x".repeat(CompileError.MAX_MESSAGE_CHARS + 10), null, null, null);
        assertThat(error.message()).hasSize(CompileError.MAX_MESSAGE_CHARS);
    }

    private static void assertRefused(String json, String message) {
        assertThatThrownBy(() -> EditCodec.decodeRequest(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining(message);
    }
}
