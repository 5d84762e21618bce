package dev.velocitypreview.core.activity;

import java.util.Set;

import dev.velocitypreview.core.json.JsonObjectReader;
import dev.velocitypreview.core.json.JsonObjectWriter;
import dev.velocitypreview.core.json.MalformedRecordException;

/** JSON form of {@link SessionActivity}: {@code {"sessionId": "...", "seenAt": "2026-..."}}; strict. */
public final class SessionActivityCodec {

    private static final Set<String> FIELDS = Set.of("sessionId", "seenAt");

    private SessionActivityCodec() {
    }

    public static byte[] encode(SessionActivity activity) {
        return new JsonObjectWriter()
                .uuid("sessionId", activity.sessionId())
                .instant("seenAt", activity.seenAt())
                .toBytes();
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static SessionActivity decode(byte[] json) {
        JsonObjectReader in = JsonObjectReader.of("session activity", json, FIELDS);
        try {
            return new SessionActivity(in.requiredUuid("sessionId"), in.instant("seenAt"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedRecordException("session activity: " + e.getMessage(), e);
        }
    }
}
