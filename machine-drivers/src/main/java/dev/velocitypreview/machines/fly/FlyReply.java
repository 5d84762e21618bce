package dev.velocitypreview.machines.fly;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * What Fly answered to one request.
 *
 * @param retryAfter Fly's {@code Retry-After} header (seconds or an HTTP date), if it sent one
 */
record FlyReply(int code, String body, @Nullable String requestId, @Nullable String retryAfter) {

    /** The {@code status} Fly puts in an error body when a region is out of machines. */
    static final String INSUFFICIENT_CAPACITY = "insufficient_capacity";

    private static final int MAX_MESSAGE_CHARS = 500;

    boolean isSuccess() {
        return code >= 200 && code < 300;
    }

    /** 408, 429 and 5xx: trying again later may work. */
    boolean isTransient() {
        return code == 408 || code == 429 || code >= 500;
    }

    /** The request may have taken effect although it did not say so (408, 5xx). */
    boolean isAmbiguous() {
        return code == 408 || code >= 500;
    }

    /** Fly's error code, {@code {"error": ..., "status": "insufficient_capacity"}}; not the {@code "error"} of older replies. */
    Optional<String> flyStatus(JsonMapper json) {
        JsonNode status = errorBody(json).path("status");
        if (!status.isString() || status.stringValue().isBlank() || "error".equals(status.stringValue())) {
            return Optional.empty();
        }
        return Optional.of(status.stringValue());
    }

    /**
     * What Fly said went wrong: {@code error} of {@code {"error": ..., "status": ...}}, or {@code message} of
     * the older {@code {"status":"error","message": ...}}, or the body itself; with the HTTP status and
     * Fly's request id.
     */
    String problem(JsonMapper json) {
        JsonNode body = errorBody(json);
        String said = text(body.path("error"));
        if (said == null) {
            said = text(body.path("message"));
        }
        if (said == null) {
            said = body.isMissingNode() && !this.body.isBlank() ? this.body.strip() : "no message";
        }
        if (said.length() > MAX_MESSAGE_CHARS) {
            said = said.substring(0, MAX_MESSAGE_CHARS) + "...";
        }
        return "HTTP " + code + ": " + said + (requestId == null ? "" : " (fly-request-id " + requestId + ")");
    }

    /** How long Fly asked to wait, if it did in a form this driver reads. */
    Optional<Duration> retryAfterDelay(Instant now) {
        if (retryAfter == null || retryAfter.isBlank()) {
            return Optional.empty();
        }
        String raw = retryAfter.strip();
        try {
            long seconds = Long.parseLong(raw);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(raw, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration delay = Duration.between(now, at);
                return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    private JsonNode errorBody(JsonMapper json) {
        if (body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.isObject() ? node : MissingNode.getInstance();
        } catch (JacksonException e) {
            return MissingNode.getInstance();
        }
    }

    private static @Nullable String text(JsonNode node) {
        return node.isString() && !node.stringValue().isBlank() ? node.stringValue() : null;
    }
}
