package dev.velocitypreview.sessions.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionId;
import tools.jackson.databind.JsonNode;

/**
 * A {@code ttl} field, as both {@code POST /v1/sessions} and {@code POST /v1/sessions/{id}/extend} take it:
 * an ISO-8601 duration string ({@code "PT45M"}) or a whole number of seconds, at least {@link #MIN} long.
 * Whether it fits the tier's cap is for the endpoint to say.
 */
final class RequestedTtl {

    static final String FIELD = "ttl";
    static final Duration MIN = Duration.ofMinutes(1);

    private RequestedTtl() {
    }

    /**
     * @param value the field's value; null when absent
     * @return null when absent
     * @throws ApiProblem 400 {@code invalid_ttl} naming the rule the value broke
     */
    static @Nullable Duration parse(@Nullable JsonNode value) {
        if (value == null) {
            return null;
        }
        Duration ttl;
        if (value.isString()) {
            try {
                ttl = Duration.parse(value.stringValue());
            } catch (DateTimeParseException e) {
                throw invalid("got " + SessionId.quote(value.stringValue()));
            }
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            ttl = Duration.ofSeconds(value.longValue());
        } else if (value.isIntegralNumber()) {
            throw invalid("got " + value + ", which is too big");
        } else {
            throw invalid("got " + StrictJsonBody.kind(value));
        }
        if (ttl.compareTo(MIN) < 0) {
            throw invalid("got " + ttl + ", which is shorter than the minimum " + MIN);
        }
        return ttl;
    }

    private static ApiProblem invalid(String what) {
        return ApiProblem.badRequest("invalid_ttl", "ttl must be an ISO-8601 duration (\"PT45M\") or a whole number of "
                + "seconds, at least " + MIN.toSeconds() + " seconds; " + what).field(FIELD);
    }
}
