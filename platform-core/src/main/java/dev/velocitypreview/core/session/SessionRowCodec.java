package dev.velocitypreview.core.session;

import java.time.Duration;

import dev.velocitypreview.core.json.JsonObjectReader;
import dev.velocitypreview.core.json.JsonObjectWriter;
import dev.velocitypreview.core.json.MalformedRecordException;

/**
 * The changelog's value format: one flattened {@code preview_sessions} row with its column names,
 * as Debezium's {@code ExtractNewRecordState} emits it. Columns we do not read (such as
 * {@code resource_limits}) are ignored, so the table may grow without breaking readers.
 */
public final class SessionRowCodec {

    private SessionRowCodec() {
    }

    /** @throws MalformedRecordException saying which column is wrong and why */
    public static SessionView decode(byte[] json) {
        JsonObjectReader row = JsonObjectReader.of("session row", json, null);
        try {
            return new SessionView(
                    row.requiredUuid("id"),
                    row.string("user_id"),
                    row.uuid("project_id"),
                    row.mapped("status", SessionRowCodec::status),
                    row.string("status_reason"),
                    row.string("error"),
                    row.string("machine_id"),
                    row.string("machine_url"),
                    row.string("region"),
                    row.mapped("tier", Tier::fromWire),
                    row.mapped("visibility", Visibility::fromWire),
                    row.requiredLong("version"),
                    row.instant("requested_at"),
                    row.instant("created_at"),
                    row.instant("updated_at"),
                    row.instant("ready_at"),
                    row.instant("expires_at"),
                    row.instant("terminated_at"),
                    millis(row.optionalLong("idle_timeout_ms")));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedRecordException("session row: " + e.getMessage(), e);
        }
    }

    public static byte[] encode(SessionView view) {
        JsonObjectWriter out = new JsonObjectWriter()
                .uuid("id", view.id())
                .string("user_id", view.userId())
                .uuid("project_id", view.projectId())
                .string("status", view.status().name())
                .string("status_reason", view.statusReason())
                .string("error", view.error())
                .string("machine_id", view.machineId())
                .string("machine_url", view.machineUrl())
                .string("region", view.region())
                .string("tier", view.tier() == null ? null : view.tier().wireName())
                .string("visibility", view.visibility().wireName())
                .number("version", view.version())
                .instant("requested_at", view.requestedAt())
                .instant("created_at", view.createdAt())
                .instant("updated_at", view.updatedAt())
                .instant("ready_at", view.readyAt())
                .instant("expires_at", view.expiresAt())
                .instant("terminated_at", view.terminatedAt());
        if (view.idleTimeout() != null) {
            out.number("idle_timeout_ms", view.idleTimeout().toMillis());
        }
        return out.toBytes();
    }

    private static Duration millis(Long value) {
        return value == null ? null : Duration.ofMillis(value);
    }

    private static SessionStatus status(String raw) {
        for (SessionStatus status : SessionStatus.values()) {
            if (status.name().equals(raw)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown status " + SessionId.quote(raw));
    }
}
