package dev.velocitypreview.core.json;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import dev.velocitypreview.core.session.SessionId;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads one JSON object field by field (and arrays of such objects), so that every rejection names the field and what
 * was expected. Unknown fields are refused when {@code allowed} is given.
 */
public final class JsonObjectReader {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final String what;
    private final JsonNode node;

    private JsonObjectReader(String what, JsonNode node) {
        this.what = what;
        this.node = node;
    }

    /**
     * @param what    what is being read, for messages ("session command")
     * @param allowed the field names that may appear, or null to ignore unknown fields
     */
    public static JsonObjectReader of(String what, byte[] json, Set<String> allowed) {
        if (json == null || json.length == 0) {
            throw new MalformedRecordException(what + ": empty value");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new MalformedRecordException(what + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new MalformedRecordException(what + ": expected a JSON object");
        }
        return checked(what, node, allowed);
    }

    private static JsonObjectReader checked(String what, JsonNode node, Set<String> allowed) {
        if (allowed != null) {
            for (String name : node.propertyNames()) {
                if (!allowed.contains(name)) {
                    throw new MalformedRecordException(what + ": unknown field " + SessionId.quote(name));
                }
            }
        }
        return new JsonObjectReader(what, node);
    }

    /**
     * A required array of objects, each read as this one is ({@code allowed} as in {@link #of}); messages about an
     * element name it as {@code field[index]}.
     */
    public List<JsonObjectReader> objects(String field, Set<String> allowed) {
        JsonNode value = value(field);
        if (value == null) {
            throw new MalformedRecordException(what + ": " + field + " is required");
        }
        if (!value.isArray()) {
            throw new MalformedRecordException(what + ": " + field + " must be an array");
        }
        List<JsonObjectReader> elements = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            String where = what + ": " + field + "[" + i + "]";
            if (element == null || !element.isObject()) {
                throw new MalformedRecordException(where + " must be an object");
            }
            elements.add(checked(where, element, allowed));
        }
        return elements;
    }

    public boolean requiredBoolean(String field) {
        JsonNode value = value(field);
        if (value == null) {
            throw new MalformedRecordException(what + ": " + field + " is required");
        }
        if (!value.isBoolean()) {
            throw new MalformedRecordException(what + ": " + field + " must be true or false");
        }
        return value.booleanValue();
    }

    private JsonNode value(String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    /** True when {@code field} is present with a value other than JSON null. */
    public boolean has(String field) {
        return value(field) != null;
    }

    public String string(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            throw new MalformedRecordException(what + ": " + field + " must be a string");
        }
        return value.stringValue();
    }

    public String requiredString(String field) {
        String value = string(field);
        if (value == null) {
            throw new MalformedRecordException(what + ": " + field + " is required");
        }
        return value;
    }

    public UUID uuid(String field) {
        String raw = string(field);
        if (raw == null) {
            return null;
        }
        try {
            return SessionId.parse(field, raw);
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(what + ": " + e.getMessage());
        }
    }

    public UUID requiredUuid(String field) {
        UUID value = uuid(field);
        if (value == null) {
            throw new MalformedRecordException(what + ": " + field + " is required");
        }
        return value;
    }

    /** A whole number, or null when the field is absent or JSON null. */
    public Long optionalLong(String field) {
        return value(field) == null ? null : requiredLong(field);
    }

    public long requiredLong(String field) {
        JsonNode value = value(field);
        if (value == null) {
            throw new MalformedRecordException(what + ": " + field + " is required");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new MalformedRecordException(what + ": " + field + " must be a whole number");
        }
        return value.longValue();
    }

    /** An instant as ISO-8601 text, or as microseconds since the epoch (how Debezium sends timestamps). */
    public Instant instant(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            long micros = value.longValue();
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        }
        if (value.isString()) {
            try {
                return Instant.parse(value.stringValue());
            } catch (DateTimeParseException e) {
                throw new MalformedRecordException(what + ": " + field + " is not an ISO-8601 instant");
            }
        }
        throw new MalformedRecordException(what + ": " + field + " must be an ISO-8601 instant");
    }

    /** A string mapped through {@code parse}; an IllegalArgumentException from it names the field. */
    public <T> T mapped(String field, Function<String, T> parse) {
        String raw = string(field);
        if (raw == null) {
            return null;
        }
        try {
            return parse.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(what + ": " + field + ": " + e.getMessage());
        }
    }
}
