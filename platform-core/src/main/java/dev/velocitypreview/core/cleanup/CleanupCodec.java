package dev.velocitypreview.core.cleanup;

import java.util.Set;

import dev.velocitypreview.core.json.JsonObjectReader;
import dev.velocitypreview.core.json.JsonObjectWriter;
import dev.velocitypreview.core.json.MalformedRecordException;

/** JSON forms of {@link CleanupRequest} and {@link CleanupReport}; strict. */
public final class CleanupCodec {

    private static final Set<String> REQUEST_FIELDS = Set.of("requestedAt");
    private static final Set<String> REPORT_FIELDS = Set.of("partitions", "expired", "suspended", "terminatedIdle",
            "orphansDestroyed", "lostFailed", "purged", "errors", "lastError", "completedAt");

    private CleanupCodec() {
    }

    public static byte[] encodeRequest(CleanupRequest request) {
        return new JsonObjectWriter().instant("requestedAt", request.requestedAt()).toBytes();
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static CleanupRequest decodeRequest(byte[] json) {
        JsonObjectReader in = JsonObjectReader.of("cleanup request", json, REQUEST_FIELDS);
        try {
            return new CleanupRequest(in.instant("requestedAt"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedRecordException("cleanup request: " + e.getMessage(), e);
        }
    }

    public static byte[] encodeReport(CleanupReport report) {
        return new JsonObjectWriter()
                .number("partitions", report.partitions())
                .number("expired", report.expired())
                .number("suspended", report.suspended())
                .number("terminatedIdle", report.terminatedIdle())
                .number("orphansDestroyed", report.orphansDestroyed())
                .number("lostFailed", report.lostFailed())
                .number("purged", report.purged())
                .number("errors", report.errors())
                .string("lastError", report.lastError())
                .instant("completedAt", report.completedAt())
                .toBytes();
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static CleanupReport decodeReport(byte[] json) {
        JsonObjectReader in = JsonObjectReader.of("cleanup report", json, REPORT_FIELDS);
        long partitions = in.requiredLong("partitions");
        if (partitions < 0 || partitions > Integer.MAX_VALUE) {
            throw new MalformedRecordException("cleanup report: partitions must be between 0 and " + Integer.MAX_VALUE);
        }
        return new CleanupReport((int) partitions, in.requiredLong("expired"), in.requiredLong("suspended"),
                in.requiredLong("terminatedIdle"), in.requiredLong("orphansDestroyed"), in.requiredLong("lostFailed"),
                in.requiredLong("purged"), in.requiredLong("errors"), in.string("lastError"),
                in.instant("completedAt"));
    }
}
