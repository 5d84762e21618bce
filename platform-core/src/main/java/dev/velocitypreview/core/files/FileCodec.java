package dev.velocitypreview.core.files;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.velocitypreview.core.json.JsonObjectReader;
import dev.velocitypreview.core.json.JsonObjectWriter;
import dev.velocitypreview.core.json.MalformedRecordException;

/**
 * JSON forms of {@link FileCommand} and {@link FileOutcome}; strict like the session command codec: unknown fields,
 * types and operations are refused, and so is a field of another kind (content on a delete, a refusal's code on an
 * applied outcome).
 */
public final class FileCodec {

    private static final Set<String> COMMAND_FIELDS = Set.of("commandId", "type", "projectId", "userId", "changes",
            "issuedAt");
    private static final Set<String> CHANGE_FIELDS = Set.of("op", "path", "content", "expectedVersion");
    private static final Set<String> OUTCOME_FIELDS = Set.of("commandId", "outcome", "files", "code", "status",
            "detail", "path", "currentVersion");
    private static final Set<String> RESULT_FIELDS = Set.of("path", "version", "size", "sha256", "deleted");
    private static final String WRITE = "WRITE";
    private static final String PUT = "put";
    private static final String DELETE = "delete";
    private static final String APPLIED = "applied";
    private static final String REFUSED = "refused";

    private FileCodec() {
    }

    public static byte[] encodeCommand(FileCommand command) {
        // Write is the only kind so far; Java 17 has no pattern switch to make a new kind a compile error here
        FileCommand.Write write = (FileCommand.Write) command;
        List<JsonObjectWriter> changes = new ArrayList<>();
        for (FileChange change : write.changes()) {
            JsonObjectWriter out = new JsonObjectWriter();
            if (change instanceof FileChange.Put put) {
                out.string("op", PUT).string("path", put.path()).string("content", put.content());
            } else {
                out.string("op", DELETE).string("path", change.path());
            }
            changes.add(out.optionalNumber("expectedVersion", change.expectedVersion()));
        }
        return new JsonObjectWriter()
                .uuid("commandId", write.commandId())
                .string("type", WRITE)
                .uuid("projectId", write.projectId())
                .string("userId", write.userId())
                .objects("changes", changes)
                .instant("issuedAt", write.issuedAt())
                .toBytes();
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static FileCommand decodeCommand(byte[] json) {
        JsonObjectReader in = JsonObjectReader.of("file command", json, COMMAND_FIELDS);
        String type = in.string("type");
        if (!WRITE.equals(type)) {
            throw new MalformedRecordException("file command: type must be " + WRITE + ", got "
                    + (type == null ? "none" : type));
        }
        List<FileChange> changes = new ArrayList<>();
        for (JsonObjectReader change : in.objects("changes", CHANGE_FIELDS)) {
            changes.add(change(change));
        }
        try {
            return new FileCommand.Write(in.requiredUuid("commandId"), in.requiredUuid("projectId"),
                    in.requiredString("userId"), changes, in.instant("issuedAt"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedRecordException("file command: " + e.getMessage(), e);
        }
    }

    private static FileChange change(JsonObjectReader in) {
        String op = in.requiredString("op");
        String path = in.requiredString("path");
        Long expected = in.optionalLong("expectedVersion");
        try {
            return switch (op) {
                case PUT -> new FileChange.Put(path, in.requiredString("content"), expected);
                case DELETE -> {
                    if (in.has("content")) {
                        throw new MalformedRecordException("file command: a delete of " + path + " carries content");
                    }
                    yield new FileChange.Delete(path, expected);
                }
                default -> throw new MalformedRecordException("file command: op must be " + PUT + " or " + DELETE
                        + ", got " + op);
            };
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("file command: " + e.getMessage(), e);
        }
    }

    public static byte[] encodeOutcome(FileOutcome outcome) {
        JsonObjectWriter out = new JsonObjectWriter().uuid("commandId", outcome.commandId());
        if (outcome instanceof FileOutcome.Applied applied) {
            List<JsonObjectWriter> files = new ArrayList<>();
            for (FileOutcome.FileResult file : applied.files()) {
                files.add(new JsonObjectWriter().string("path", file.path()).number("version", file.version())
                        .number("size", file.size()).string("sha256", file.sha256()).bool("deleted", file.deleted()));
            }
            return out.string("outcome", APPLIED).objects("files", files).toBytes();
        }
        FileRefusal refusal = ((FileOutcome.Refused) outcome).refusal();
        return out.string("outcome", REFUSED).string("code", refusal.code()).number("status", refusal.status())
                .string("detail", refusal.detail()).string("path", refusal.path())
                .optionalNumber("currentVersion", refusal.currentVersion()).toBytes();
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static FileOutcome decodeOutcome(byte[] json) {
        JsonObjectReader in = JsonObjectReader.of("file outcome", json, OUTCOME_FIELDS);
        String outcome = in.string("outcome");
        try {
            if (APPLIED.equals(outcome)) {
                for (String field : List.of("code", "status", "detail", "path", "currentVersion")) {
                    if (in.has(field)) {
                        throw new MalformedRecordException("file outcome: " + field + " is not a field of an applied outcome");
                    }
                }
                List<FileOutcome.FileResult> files = new ArrayList<>();
                for (JsonObjectReader file : in.objects("files", RESULT_FIELDS)) {
                    files.add(new FileOutcome.FileResult(file.requiredString("path"), file.requiredLong("version"),
                            file.requiredLong("size"), file.requiredString("sha256"), file.requiredBoolean("deleted")));
                }
                return new FileOutcome.Applied(in.requiredUuid("commandId"), files);
            }
            if (REFUSED.equals(outcome)) {
                if (in.has("files")) {
                    throw new MalformedRecordException("file outcome: files is not a field of a refused outcome");
                }
                long status = in.requiredLong("status");
                return new FileOutcome.Refused(in.requiredUuid("commandId"), new FileRefusal(in.requiredString("code"),
                        (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, status)),
                        in.requiredString("detail"), in.string("path"), in.optionalLong("currentVersion")));
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedRecordException("file outcome: " + e.getMessage(), e);
        }
        throw new MalformedRecordException("file outcome: outcome must be " + APPLIED + " or " + REFUSED + ", got "
                + (outcome == null ? "none" : outcome));
    }
}
