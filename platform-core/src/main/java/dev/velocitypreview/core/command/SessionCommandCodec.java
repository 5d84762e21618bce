package dev.velocitypreview.core.command;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Set;

import dev.velocitypreview.core.json.JsonObjectReader;
import dev.velocitypreview.core.json.JsonObjectWriter;
import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

/** JSON form of {@link SessionCommand}: strict, so a half-understood command is never applied. */
public final class SessionCommandCodec {

    private static final Set<String> FIELDS =
            Set.of("commandId", "type", "sessionId", "userId", "projectId", "tier", "visibility", "ttl", "machine",
                    "idleTimeout", "reason", "issuedAt");

    private SessionCommandCodec() {
    }

    public static byte[] encode(SessionCommand command) {
        return new JsonObjectWriter()
                .uuid("commandId", command.commandId())
                .string("type", command.type().name())
                .uuid("sessionId", command.sessionId())
                .string("userId", command.userId())
                .uuid("projectId", command.projectId())
                .string("tier", command.tier() == null ? null : command.tier().wireName())
                .string("visibility", command.visibility() == null ? null : command.visibility().wireName())
                .string("ttl", command.ttl() == null ? null : command.ttl().toString())
                .string("machine", command.machine() == null ? null : command.machine().wireName())
                .string("idleTimeout", command.idleTimeout() == null ? null : command.idleTimeout().toString())
                .string("reason", command.reason())
                .instant("issuedAt", command.issuedAt())
                .toBytes();
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static SessionCommand decode(byte[] json) {
        JsonObjectReader in = JsonObjectReader.of("session command", json, FIELDS);
        SessionCommand.Type type = in.mapped("type", SessionCommandCodec::type);
        try {
            return new SessionCommand(
                    in.requiredUuid("commandId"),
                    type,
                    in.requiredUuid("sessionId"),
                    in.requiredString("userId"),
                    in.uuid("projectId"),
                    in.mapped("tier", Tier::fromWire),
                    in.mapped("visibility", Visibility::fromWire),
                    in.mapped("ttl", SessionCommandCodec::duration),
                    in.mapped("machine", MachineSize::fromWire),
                    in.mapped("idleTimeout", SessionCommandCodec::duration),
                    in.string("reason"),
                    in.instant("issuedAt"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedRecordException("session command: " + e.getMessage(), e);
        }
    }

    private static Duration duration(String raw) {
        try {
            return Duration.parse(raw);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 duration such as PT30M");
        }
    }

    private static SessionCommand.Type type(String raw) {
        for (SessionCommand.Type type : SessionCommand.Type.values()) {
            if (type.name().equals(raw)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown command type, expected one of CREATE, TERMINATE, EXTEND, RESUME");
    }
}
