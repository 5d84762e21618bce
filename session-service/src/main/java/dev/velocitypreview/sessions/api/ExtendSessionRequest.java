package dev.velocitypreview.sessions.api;

import java.time.Duration;
import java.util.List;

/**
 * The body of {@code POST /v1/sessions/{id}/extend}: <pre>{"ttl": "PT30M" | 1800}</pre> how long from now the
 * session should live, with the rules of {@link RequestedTtl}; required.
 */
record ExtendSessionRequest(Duration ttl) {

    private static final List<String> FIELDS = List.of(RequestedTtl.FIELD);

    /** @throws ApiProblem 400 saying what is wrong with the body */
    static ExtendSessionRequest parse(byte[] body) {
        StrictJsonBody root = StrictJsonBody.parse(body, "{\"ttl\": \"PT30M\"}", FIELDS);
        Duration ttl = RequestedTtl.parse(root.get(RequestedTtl.FIELD));
        if (ttl == null) {
            throw ApiProblem.badRequest("missing_field", "ttl is required: an ISO-8601 duration (\"PT30M\") or a whole "
                    + "number of seconds").field(RequestedTtl.FIELD);
        }
        return new ExtendSessionRequest(ttl);
    }
}
