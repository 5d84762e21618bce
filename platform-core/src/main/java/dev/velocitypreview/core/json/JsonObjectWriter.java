package dev.velocitypreview.core.json;

import java.time.Instant;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Builds one flat JSON object; nulls are written as JSON null so every field is always present. */
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

    public byte[] toBytes() {
        return MAPPER.writeValueAsBytes(node);
    }
}
