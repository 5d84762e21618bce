package dev.velocitypreview.core.topic;

import org.apache.kafka.common.serialization.Serdes;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.session.SessionRowCodec;
import dev.velocitypreview.core.session.SessionView;

/** Every topic of the platform. All are keyed by the session id in its canonical UUID text form. */
public final class Topics {

    /** CREATE, TERMINATE, EXTEND, SUSPEND, RESUME; one topic so a session's commands stay in order. */
    public static final Topic<String, SessionCommand> SESSION_COMMANDS = new Topic<>(
            "preview.session-commands", Serdes.String(),
            new CodecSerde<>(SessionCommandCodec::encode, SessionCommandCodec::decode));

    /** The changelog of {@code preview_sessions}: flattened rows, tombstones on delete; compacted. */
    public static final Topic<String, SessionView> SESSIONS = new Topic<>(
            "preview.sessions", Serdes.String(),
            new CodecSerde<>(SessionRowCodec::encode, SessionRowCodec::decode));

    /**
     * Commands the provisioner could not read or apply, byte for byte, with spring-kafka's standard
     * {@code kafka_dlt-*} headers (original topic, partition, offset, exception class and message).
     */
    public static final Topic<String, byte[]> SESSION_COMMANDS_DLT = new Topic<>(
            "preview.session-commands-dlt", Serdes.String(), Serdes.ByteArray());

    /** The CDC relay's source offsets (the replication slot position); compacted. */
    public static final String CDC_OFFSETS = "preview.cdc-offsets";

    private Topics() {
    }
}
