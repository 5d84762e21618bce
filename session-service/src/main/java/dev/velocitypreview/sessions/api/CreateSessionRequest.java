package dev.velocitypreview.sessions.api;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of {@code POST /v1/sessions}: {@code {"projectId": "<uuid>", "tier": "free|pro|team"}}.
 * Read strictly, field by field, so each refusal names the field and what it must be.
 */
record CreateSessionRequest(UUID projectId, Tier tier) {

    static final String PROJECT_ID = "projectId";
    static final String TIER = "tier";
    private static final List<String> FIELDS = List.of(PROJECT_ID, TIER);

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** @throws ApiProblem 400 saying what is wrong with the body */
    static CreateSessionRequest parse(byte[] body) {
        if (body.length == 0) {
            throw ApiProblem.badRequest("missing_body", "request body is required: {\"projectId\": \"<uuid>\"}");
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
            if (!FIELDS.contains(name)) {
                throw ApiProblem.badRequest("unknown_field", "unknown field " + SessionId.quote(name)
                        + "; accepted fields are " + String.join(", ", FIELDS)).field(name);
            }
        }
        String project = text(root, PROJECT_ID);
        if (project == null) {
            throw ApiProblem.badRequest("missing_field", "projectId is required").field(PROJECT_ID);
        }
        UUID projectId;
        try {
            projectId = SessionId.parse(PROJECT_ID, project);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("invalid_project_id", e.getMessage()).field(PROJECT_ID);
        }
        String tierName = text(root, TIER);
        Tier tier;
        try {
            tier = tierName == null ? Tier.FREE : Tier.fromWire(tierName);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("unknown_tier", e.getMessage()).field(TIER);
        }
        return new CreateSessionRequest(projectId, tier);
    }

    /** True when {@code known} is what this request, sent by {@code caller}, would have created. */
    boolean sameAs(SessionView known, Caller caller) {
        return caller.owns(known.userId()) && projectId.equals(known.projectId())
                && (known.tier() == null || known.tier() == tier);
    }

    /** The field's text; null when absent or JSON null. */
    private static @Nullable String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw ApiProblem.badRequest("invalid_type", field + " must be a JSON string, got " + kind(value))
                    .field(field);
        }
        return value.stringValue();
    }

    private static String kind(JsonNode value) {
        return "JSON type " + value.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
