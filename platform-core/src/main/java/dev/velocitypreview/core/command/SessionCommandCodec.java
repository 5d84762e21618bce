package dev.velocitypreview.core.command;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.velocitypreview.core.json.JsonObjectReader;
import dev.velocitypreview.core.json.JsonObjectWriter;
import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

/**
 * JSON form of {@link SessionCommand}: one flat object whose {@code type} says which record it is.
 * Strict, so a half-understood command is never applied: unknown fields and types are refused, and
 * so is a value in a field of another kind of command. A field of another kind that is JSON null is
 * accepted, as commands written before the family was split carry every field. A CREATE's {@code template} is
 * optional on read (commands written before templates have none) and always written.
 */
public final class SessionCommandCodec {

    private static final List<String> CREATE_FIELDS =
            List.of("projectId", "template", "tier", "visibility", "ttl", "machine", "idleTimeout");
    private static final List<String> TERMINATE_FIELDS = List.of("reason");
    private static final List<String> EXTEND_FIELDS = List.of("expiresAt");
    /** Shared by REAP_MACHINE and MACHINE_LOST. */
    private static final List<String> MACHINE_FIELDS = List.of("machineId");

    private static final Set<String> FIELDS = Stream.of(
                    List.of("commandId", "type", "sessionId", "userId", "issuedAt"),
                    CREATE_FIELDS, TERMINATE_FIELDS, EXTEND_FIELDS, MACHINE_FIELDS)
            .flatMap(List::stream).collect(Collectors.toUnmodifiableSet());

    private static final String TYPES = Arrays.stream(SessionCommand.Type.values()).map(Enum::name)
            .collect(Collectors.joining(", "));

    private SessionCommandCodec() {
    }

    public static byte[] encode(SessionCommand command) {
        JsonObjectWriter out = new JsonObjectWriter()
                .uuid("commandId", command.commandId())
                .string("type", command.type().name())
                .uuid("sessionId", command.sessionId())
                .string("userId", command.userId());
        // an expression, so that a new kind of command does not compile until it is encoded here
        JsonObjectWriter fields = switch (command.type()) {
            case CREATE -> {
                SessionCommand.Create create = (SessionCommand.Create) command;
                yield out.uuid("projectId", create.projectId())
                        .string("template", create.template())
                        .string("tier", create.tier().wireName())
                        .string("visibility", create.visibility().wireName())
                        .string("ttl", create.ttl().toString())
                        .string("machine", create.machine().wireName())
                        .string("idleTimeout", create.idleTimeout().toString());
            }
            case TERMINATE -> out.string("reason", ((SessionCommand.Terminate) command).reason());
            case EXTEND -> out.instant("expiresAt", ((SessionCommand.Extend) command).expiresAt());
            case REAP_MACHINE -> out.string("machineId", ((SessionCommand.ReapMachine) command).machineId());
            case MACHINE_LOST -> out.string("machineId", ((SessionCommand.MachineLost) command).machineId());
            case SUSPEND, RESUME, PURGE -> out;
        };
        return fields.instant("issuedAt", command.issuedAt()).toBytes();
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static SessionCommand decode(byte[] json) {
        JsonObjectReader in = JsonObjectReader.of("session command", json, FIELDS);
        SessionCommand.Type type = in.mapped("type", SessionCommandCodec::type);
        if (type == null) {
            throw new MalformedRecordException("session command: type is required, one of " + TYPES);
        }
        refuseFieldsOfOtherKinds(in, type);
        try {
            return switch (type) {
                case CREATE -> new SessionCommand.Create(
                        in.requiredUuid("commandId"),
                        in.requiredUuid("sessionId"),
                        in.requiredString("userId"),
                        in.uuid("projectId"),
                        // optional: a CREATE written before templates has none
                        in.string("template"),
                        in.mapped("tier", Tier::fromWire),
                        in.mapped("visibility", Visibility::fromWire),
                        in.mapped("ttl", SessionCommandCodec::duration),
                        in.mapped("machine", MachineSize::fromWire),
                        in.mapped("idleTimeout", SessionCommandCodec::duration),
                        in.instant("issuedAt"));
                case TERMINATE -> new SessionCommand.Terminate(
                        in.requiredUuid("commandId"),
                        in.requiredUuid("sessionId"),
                        in.requiredString("userId"),
                        in.string("reason"),
                        in.instant("issuedAt"));
                case EXTEND -> new SessionCommand.Extend(
                        in.requiredUuid("commandId"),
                        in.requiredUuid("sessionId"),
                        in.requiredString("userId"),
                        in.instant("expiresAt"),
                        in.instant("issuedAt"));
                case SUSPEND -> new SessionCommand.Suspend(
                        in.requiredUuid("commandId"),
                        in.requiredUuid("sessionId"),
                        in.requiredString("userId"),
                        in.instant("issuedAt"));
                case RESUME -> new SessionCommand.Resume(
                        in.requiredUuid("commandId"),
                        in.requiredUuid("sessionId"),
                        in.requiredString("userId"),
                        in.instant("issuedAt"));
                case REAP_MACHINE -> new SessionCommand.ReapMachine(
                        in.requiredUuid("commandId"),
                        in.requiredUuid("sessionId"),
                        in.string("userId"),
                        in.string("machineId"),
                        in.instant("issuedAt"));
                case MACHINE_LOST -> new SessionCommand.MachineLost(
                        in.requiredUuid("commandId"),
                        in.requiredUuid("sessionId"),
                        in.requiredString("userId"),
                        in.string("machineId"),
                        in.instant("issuedAt"));
                case PURGE -> new SessionCommand.Purge(
                        in.requiredUuid("commandId"),
                        in.requiredUuid("sessionId"),
                        in.requiredString("userId"),
                        in.instant("issuedAt"));
            };
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedRecordException("session command: " + e.getMessage(), e);
        }
    }

    private static void refuseFieldsOfOtherKinds(JsonObjectReader in, SessionCommand.Type type) {
        List<String> own = switch (type) {
            case CREATE -> CREATE_FIELDS;
            case TERMINATE -> TERMINATE_FIELDS;
            case EXTEND -> EXTEND_FIELDS;
            case REAP_MACHINE, MACHINE_LOST -> MACHINE_FIELDS;
            case SUSPEND, RESUME, PURGE -> List.of();
        };
        for (List<String> fields : List.of(CREATE_FIELDS, TERMINATE_FIELDS, EXTEND_FIELDS, MACHINE_FIELDS)) {
            if (fields == own) {
                continue;
            }
            for (String field : fields) {
                if (in.has(field)) {
                    throw new MalformedRecordException("session command: " + field + " is not a field of " + type);
                }
            }
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
        throw new IllegalArgumentException("unknown command type, expected one of " + TYPES);
    }
}
