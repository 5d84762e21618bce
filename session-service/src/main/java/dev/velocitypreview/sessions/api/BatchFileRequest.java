package dev.velocitypreview.sessions.api;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.files.FileChange;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v1/projects/{id}/files:batch}:
 * {@code {"writes":[{"path","content","ifMatch"?}],"deletes":[{"path","ifMatch"?}]}}, read strictly; {@code ifMatch}
 * is a version, as a number or as the ETag text {@code "\"3\""}.
 */
final class BatchFileRequest {

    static final String EXAMPLE = "{\"writes\": [{\"path\": \"src/App.jsx\", \"content\": \"...\"}], "
            + "\"deletes\": [{\"path\": \"old.css\", \"ifMatch\": 2}]}";
    private static final List<String> FIELDS = List.of("writes", "deletes");
    private static final List<String> WRITE_FIELDS = List.of("path", "content", "ifMatch");
    private static final List<String> DELETE_FIELDS = List.of("path", "ifMatch");

    private BatchFileRequest() {
    }

    /** The changes in the body's order, writes first; paths are not checked here (FileRules is). */
    static List<FileChange> parse(byte[] body) {
        StrictJsonBody root = StrictJsonBody.parse(body, EXAMPLE, FIELDS);
        List<FileChange> changes = new ArrayList<>();
        for (JsonNode write : elements(root.get("writes"), "writes", WRITE_FIELDS)) {
            String path = text(write, "writes", "path");
            String content = text(write, "writes", "content");
            changes.add(new FileChange.Put(path, content, ifMatch(write.get("ifMatch"), "writes")));
        }
        for (JsonNode delete : elements(root.get("deletes"), "deletes", DELETE_FIELDS)) {
            changes.add(new FileChange.Delete(text(delete, "deletes", "path"), ifMatch(delete.get("ifMatch"), "deletes")));
        }
        if (changes.isEmpty()) {
            throw ApiProblem.badRequest("empty_batch", "a batch needs at least one write or delete: " + EXAMPLE);
        }
        return changes;
    }

    private static List<JsonNode> elements(@Nullable JsonNode array, String field, List<String> fields) {
        if (array == null) {
            return List.of();
        }
        if (!array.isArray()) {
            throw ApiProblem.badRequest("invalid_type", field + " must be a JSON array, got " + StrictJsonBody.kind(array))
                    .field(field);
        }
        List<JsonNode> elements = new ArrayList<>();
        for (JsonNode element : array) {
            if (!element.isObject()) {
                throw ApiProblem.badRequest("invalid_type", field + " must hold JSON objects, got "
                        + StrictJsonBody.kind(element)).field(field);
            }
            for (String name : element.propertyNames()) {
                if (!fields.contains(name)) {
                    throw ApiProblem.badRequest("unknown_field", "unknown field " + name + " in " + field
                            + "; accepted fields are " + String.join(", ", fields)).field(field + "." + name);
                }
            }
            elements.add(element);
        }
        return elements;
    }

    private static String text(JsonNode element, String field, String name) {
        JsonNode value = element.get(name);
        if (value == null || value.isNull()) {
            throw ApiProblem.badRequest("missing_field", field + "." + name + " is required").field(field + "." + name);
        }
        if (!value.isString()) {
            throw ApiProblem.badRequest("invalid_type", field + "." + name + " must be a JSON string, got "
                    + StrictJsonBody.kind(value)).field(field + "." + name);
        }
        return value.stringValue();
    }

    private static @Nullable Long ifMatch(@Nullable JsonNode value, String field) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= 1) {
            return value.longValue();
        }
        if (value.isString()) {
            return FileVersions.ifMatch(value.stringValue());
        }
        throw FileVersions.invalidIfMatch(field + ".ifMatch must be a version (a whole number from 1) or its ETag");
    }
}
