package dev.velocitypreview.sessions.api;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

/**
 * The body of {@code POST /v1/sessions}:
 * <pre>{"projectId": "&lt;uuid&gt;", "template": "react", "visibility": "public|private", "ttl": "PT45M" | 2700,
 *  "tier": "free|pro|team"}</pre>
 * Only {@code projectId} is required. {@code template} names what a project that does not exist yet, or has no
 * files, is made from ({@code GET /v1/templates} lists them). {@code ttl} is an ISO-8601 duration string or a whole number of
 * seconds, at least a minute. {@code tier} may only lower the caller's own tier (whose limits then
 * apply to this session). Read strictly, field by field, so each refusal names the field and what
 * it must be.
 *
 * @param template   null when the request does not name one: the default template applies
 * @param tier       null when the request does not name one: the caller's tier applies
 * @param visibility null when the request does not say: the configured default applies
 * @param ttl        null when the request does not ask: the tier's cap applies
 */
record CreateSessionRequest(UUID projectId, @Nullable String template, @Nullable Tier tier, @Nullable Visibility visibility,
                            @Nullable Duration ttl) {

    static final String PROJECT_ID = "projectId";
    static final String TEMPLATE = "template";
    static final String TIER = "tier";
    static final String VISIBILITY = "visibility";
    static final String TTL = RequestedTtl.FIELD;
    private static final List<String> FIELDS = List.of(PROJECT_ID, TEMPLATE, VISIBILITY, TTL, TIER);

    /** @throws ApiProblem 400 saying what is wrong with the body */
    static CreateSessionRequest parse(byte[] body) {
        StrictJsonBody root = StrictJsonBody.parse(body, "{\"projectId\": \"<uuid>\"}", FIELDS);
        String project = root.text(PROJECT_ID);
        if (project == null) {
            throw ApiProblem.badRequest("missing_field", "projectId is required").field(PROJECT_ID);
        }
        UUID projectId;
        try {
            projectId = SessionId.parse(PROJECT_ID, project);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("invalid_project_id", e.getMessage()).field(PROJECT_ID);
        }
        String tierName = root.text(TIER);
        Tier tier;
        try {
            tier = tierName == null ? null : Tier.fromWire(tierName);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("unknown_tier", e.getMessage()).field(TIER);
        }
        String visibilityName = root.text(VISIBILITY);
        Visibility visibility;
        try {
            visibility = visibilityName == null ? null : Visibility.fromWire(visibilityName);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("unknown_visibility", e.getMessage()).field(VISIBILITY);
        }
        return new CreateSessionRequest(projectId, root.text(TEMPLATE), tier, visibility, RequestedTtl.parse(root.get(TTL)));
    }

    /** True when {@code known} is what this request, by its owner, would have created. */
    boolean sameAs(SessionView known, Visibility effectiveVisibility) {
        Visibility knownVisibility = known.visibility() == null ? Visibility.PUBLIC : known.visibility();
        return projectId.equals(known.projectId()) && knownVisibility == effectiveVisibility;
    }
}
