package dev.velocitypreview.core.json;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Builds one JSON object (with arrays of objects where asked); nulls are written as JSON null so every field is always present. */
public final class JsonObjectWriter {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final ObjectNode node = MAPPER.createObjectNode();

    public JsonObjectWriter string(String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
        return this;
    }

    public JsonObjectWriter uuid(String field, UUID value) {
        return string(field, value == null ? null : value.toString());
    }

    public JsonObjectWriter instant(String field, Instant value) {
        return string(field, value == null ? null : value.toString());
    }

    public JsonObjectWriter number(String field, long value) {
        node.put(field, value);
        return this;
    }

    /** A number, or JSON null. */
    public JsonObjectWriter optionalNumber(String field, Long value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value.longValue());
        }
        return this;
    }

    public JsonObjectWriter bool(String field, boolean value) {
        node.put(field, value);
        return this;
    }

    /** An array of the objects the writers built. */
    public JsonObjectWriter objects(String field, List<JsonObjectWriter> elements) {
        ArrayNode array = node.putArray(field);
        elements.forEach(element -> array.add(element.node));
        return this;
    }

    public byte[] toBytes() {
        return MAPPER.writeValueAsBytes(node);
    }
}
