package dev.velocitypreview.cdc;

import java.util.Map;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;

import dev.velocitypreview.core.topic.Topics;

/**
 * {@code preview_sessions} to {@link Topics#SESSIONS}: keyed by the session id as plain UUID text, the row as JSON with
 * the table's column names as value, a tombstone for a delete.
 */
final class SessionRoute implements TableRoute {

    private final JsonConverter rowConverter = new JsonConverter();

    SessionRoute() {
        rowConverter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), false);
    }

    @Override
    public String table() {
        return ChangelogRelaySettings.SESSIONS_TABLE;
    }

    @Override
    public Outgoing outgoing(SourceRecord change) {
        String sessionId = Keys.uuid(change, "id", "preview_sessions");
        byte[] row = change.value() == null
                ? null
                : rowConverter.fromConnectData(change.topic(), change.valueSchema(), change.value());
        Long version = change.value() instanceof Struct value && value.schema().field("version") != null
                ? value.getInt64("version")
                : null;
        return new Outgoing(Topics.SESSIONS.name(), sessionId, row, new Subject("session", sessionId),
                version == null ? "session deletion" : "session change (version " + version + ")");
    }
}
