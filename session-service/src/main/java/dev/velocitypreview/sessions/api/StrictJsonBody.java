package dev.velocitypreview.sessions.api;

import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionId;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A request body read strictly: one JSON object, no duplicate names, nothing after it, and only the
 * fields the endpoint accepts, so each refusal names the field and what it must be.
 */
final class StrictJsonBody {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final JsonNode root;

    private StrictJsonBody(JsonNode root) {
        this.root = root;
    }

    /**
     * @param example what a valid body looks like, for the refusal of an empty one
     * @throws ApiProblem 400 saying what is wrong with the body
     */
    static StrictJsonBody parse(byte[] body, String example, List<String> fields) {
        if (body.length == 0) {
            throw ApiProblem.badRequest("missing_body", "request body is required: " + example);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw ApiProblem.badRequest("malformed_json", "request body is not valid JSON"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr())
                    + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiProblem.badRequest("malformed_json", "request body must be a JSON object");
        }
        for (String name : root.propertyNames()) {
            if (!fields.contains(name)) {
                throw ApiProblem.badRequest("unknown_field", "unknown field " + SessionId.quote(name)
                        + "; accepted fields are " + String.join(", ", fields)).field(name);
            }
        }
        return new StrictJsonBody(root);
    }

    /** The field's value; null when absent or JSON null. */
    @Nullable JsonNode get(String field) {
        JsonNode value = root.get(field);
        return value == null || value.isNull() ? null : value;
    }

    /** The field's text; null when absent or JSON null. */
    @Nullable String text(String field) {
        JsonNode value = get(field);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            throw ApiProblem.badRequest("invalid_type", field + " must be a JSON string, got " + kind(value))
                    .field(field);
        }
        return value.stringValue();
    }

    static String kind(JsonNode value) {
        return "JSON type " + value.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
