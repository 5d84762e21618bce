package dev.velocitypreview.core.files;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.topic.Topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileCodecTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final UUID COMMAND = UUID.fromString("11111111-1111-4111-8111-111111111111");
    private static final UUID PROJECT = UUID.fromString("22222222-2222-4222-8222-222222222222");

    @Test
    void aWriteWithPutsAndDeletesSurvivesTheRoundTrip() {
        FileCommand write = new FileCommand.Write(COMMAND, PROJECT, "user-1", List.of(
                new FileChange.Put("src/App.jsx", "export default () => <p>\"hi\"\n</p>;", 3L),
                new FileChange.Put("README.md", "", null),
                new FileChange.Delete("old.css", null),
                new FileChange.Delete("gone.js", 7L)), NOW);

        byte[] json = Topics.PROJECT_FILE_COMMANDS.valueSerde().serializer().serialize("t", write);

        assertThat(Topics.PROJECT_FILE_COMMANDS.valueSerde().deserializer().deserialize("t", json)).isEqualTo(write);
    }

    @Test
    void outcomesSurviveTheRoundTrip() {
        FileOutcome applied = new FileOutcome.Applied(COMMAND, List.of(
                new FileOutcome.FileResult("src/App.jsx", 4, 12, "ab".repeat(32), false),
                new FileOutcome.FileResult("old.css", 2, 0, "cd".repeat(32), true)));
        FileOutcome refused = new FileOutcome.Refused(COMMAND, new FileRefusal(FileRefusal.STALE_VERSION, 412,
                "src/App.jsx is at version 4, not 3", "src/App.jsx", 4L));
        FileOutcome missing = new FileOutcome.Refused(COMMAND, new FileRefusal(FileRefusal.PROJECT_NOT_FOUND, 404,
                "no such project", null, null));

        for (FileOutcome outcome : List.of(applied, refused, missing)) {
            assertThat(FileCodec.decodeOutcome(FileCodec.encodeOutcome(outcome))).isEqualTo(outcome);
        }
    }

    @Test
    void malformedCommandsAreRefusedNamingWhatIsWrong() {
        String valid = "\"commandId\":\"" + COMMAND + "\",\"projectId\":\"" + PROJECT
                + "\",\"userId\":\"u\",\"issuedAt\":\"" + NOW + "\"";
        assertRefused("{" + valid + ",\"type\":\"WRITE\",\"changes\":[{\"op\":\"put\",\"path\":\"a\"}]}",
                "file command: changes[0]: content is required");
        assertRefused("{" + valid + ",\"type\":\"WRITE\",\"changes\":[{\"op\":\"delete\",\"path\":\"a\",\"content\":\"x\"}]}",
                "file command: a delete of a carries content");
        assertRefused("{" + valid + ",\"type\":\"WRITE\",\"changes\":[{\"op\":\"move\",\"path\":\"a\"}]}",
                "file command: op must be put or delete, got move");
        assertRefused("{" + valid + ",\"type\":\"WRITE\",\"changes\":[{\"op\":\"put\",\"path\":\"a\",\"content\":\"x\",\"mode\":1}]}",
                "file command: changes[0]: unknown field 'mode'");
        assertRefused("{" + valid + ",\"type\":\"WRITE\",\"changes\":[]}",
                "file command: changes must hold at least one change");
        assertRefused("{" + valid + ",\"type\":\"WRITE\",\"changes\":{}}", "file command: changes must be an array");
        assertRefused("{" + valid + ",\"type\":\"WRITE\",\"changes\":[{\"op\":\"delete\",\"path\":\"a\"},"
                + "{\"op\":\"delete\",\"path\":\"a\"}]}", "file command: changes name path a more than once");
        assertRefused("{" + valid + ",\"type\":\"WRITE\",\"changes\":[{\"op\":\"delete\",\"path\":\"a\",\"expectedVersion\":0}]}",
                "file command: expectedVersion must be at least 1, got 0");
        assertRefused("{" + valid + ",\"type\":\"RENAME\",\"changes\":[]}", "file command: type must be WRITE, got RENAME");
        assertRefused("[]", "file command: expected a JSON object");
    }

    @Test
    void malformedOutcomesAreRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> FileCodec.decodeOutcome(("{\"commandId\":\"" + COMMAND
                + "\",\"outcome\":\"applied\",\"files\":[],\"code\":\"x\"}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("file outcome: code is not a field of an applied outcome");
        assertThatThrownBy(() -> FileCodec.decodeOutcome(("{\"commandId\":\"" + COMMAND
                + "\",\"outcome\":\"refused\",\"code\":\"x\",\"status\":500,\"detail\":\"d\"}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("file outcome: status must be a 4xx status, got 500");
        assertThatThrownBy(() -> FileCodec.decodeOutcome(("{\"commandId\":\"" + COMMAND
                + "\",\"outcome\":\"maybe\"}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("file outcome: outcome must be applied or refused, got maybe");
    }

    private static void assertRefused(String json, String message) {
        assertThatThrownBy(() -> FileCodec.decodeCommand(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRecordException.class).hasMessage(message);
    }
}
