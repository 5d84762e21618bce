package dev.velocitypreview.cleanup;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The serde of cleanup's own store values. They never leave cleanup (its stores and their changelogs), so
 * plain JSON of the records, tolerant of fields a newer version adds, is enough.
 */
final class StoreSerdes {

    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private StoreSerdes() {
    }

    static Serde<TrackedSession> trackedSession() {
        Serializer<TrackedSession> serializer = (topic, value) -> value == null ? null : JSON.writeValueAsBytes(value);
        Deserializer<TrackedSession> deserializer = (topic, bytes) -> bytes == null ? null
                : JSON.readValue(bytes, TrackedSession.class);
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
