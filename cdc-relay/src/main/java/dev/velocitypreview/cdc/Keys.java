package dev.velocitypreview.cdc;

import java.util.UUID;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/** Reads the fields of a change's key struct, refusing a change whose key lacks them. */
final class Keys {

    private Keys() {
    }

    /** The key field {@code field} as canonical UUID text. */
    static String uuid(SourceRecord change, String field, String table) {
        String text = string(change, field, table);
        try {
            return UUID.fromString(text).toString();
        } catch (IllegalArgumentException e) {
            throw new ChangeNotRelayedException(null, "a " + table + " change has a " + field
                    + " that is not a UUID: " + text, e);
        }
    }

    private static String string(SourceRecord change, String field, String table) {
        if (!(change.key() instanceof Struct key) || key.schema().field(field) == null || key.get(field) == null) {
            throw new ChangeNotRelayedException(null, "a " + table + " change from " + change.topic()
                    + " has no " + field + " in its key: " + change.key(), null);
        }
        return String.valueOf(key.get(field));
    }
}
