package dev.velocitypreview.sessions.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of {@code POST /v1/sessions}:
 * <pre>{"projectId": "&lt;uuid&gt;", "visibility": "public|private", "ttl": "PT45M" | 2700, "tier": "free|pro|team"}</pre>
 * Only {@code projectId} is required. {@code ttl} is an ISO-8601 duration string or a whole number of
 * seconds, at least a minute. {@code tier} may only lower the caller's own tier (whose limits then
 * apply to this session). Read strictly, field by field, so each refusal names the field and what
 * it must be.
 *
 * @param tier       null when the request does not name one: the caller's tier applies
 * @param visibility null when the request does not say: the configured default applies
 * @param ttl        null when the request does not ask: the tier's cap applies
 */
record CreateSessionRequest(UUID projectId, @Nullable Tier tier, @Nullable Visibility visibility,
                            @Nullable Duration ttl) {

    static final String PROJECT_ID = "projectId";
    static final String TIER = "tier";
    static final String VISIBILITY = "visibility";
    static final String TTL = "ttl";
    static final Duration MIN_TTL = Duration.ofMinutes(1);
    private static final List<String> FIELDS = List.of(PROJECT_ID, VISIBILITY, TTL, TIER);

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
            tier = tierName == null ? null : Tier.fromWire(tierName);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("unknown_tier", e.getMessage()).field(TIER);
        }
        String visibilityName = text(root, VISIBILITY);
        Visibility visibility;
        try {
            visibility = visibilityName == null ? null : Visibility.fromWire(visibilityName);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("unknown_visibility", e.getMessage()).field(VISIBILITY);
        }
        return new CreateSessionRequest(projectId, tier, visibility, ttl(root.get(TTL)));
    }

    /** True when {@code known} is what this request, by its owner, would have created. */
    boolean sameAs(SessionView known, Visibility effectiveVisibility) {
        Visibility knownVisibility = known.visibility() == null ? Visibility.PUBLIC : known.visibility();
        return projectId.equals(known.projectId()) && knownVisibility == effectiveVisibility;
    }

    private static @Nullable Duration ttl(@Nullable JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        Duration ttl;
        if (value.isString()) {
            try {
                ttl = Duration.parse(value.stringValue());
            } catch (DateTimeParseException e) {
                throw invalidTtl("got " + SessionId.quote(value.stringValue()));
            }
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            ttl = Duration.ofSeconds(value.longValue());
        } else {
            throw invalidTtl("got " + kind(value));
        }
        if (ttl.compareTo(MIN_TTL) < 0) {
            throw invalidTtl("got " + ttl + ", which is shorter than the minimum " + MIN_TTL);
        }
        return ttl;
    }

    private static ApiProblem invalidTtl(String what) {
        return ApiProblem.badRequest("invalid_ttl", "ttl must be an ISO-8601 duration (\"PT45M\") or a whole number of "
                + "seconds, at least " + MIN_TTL.toSeconds() + " seconds; " + what).field(TTL);
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
