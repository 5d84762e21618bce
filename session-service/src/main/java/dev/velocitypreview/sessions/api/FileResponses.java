package dev.velocitypreview.sessions.api;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/** The JSON bodies of the files API. */
final class FileResponses {

    private FileResponses() {
    }

    /** A file written by {@code PUT}: durable once this is the answer; {@code previews} only with {@code ?wait=applied}. */
    record Written(String path, long version, long size, String sha256,
                   @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable List<Preview> previews) {
    }

    /** A file removed by {@code DELETE}: the version it had. */
    record Deleted(String path, long version, boolean deleted,
                   @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable List<Preview> previews) {
    }

    /**
     * What one running preview of the project made of a write ({@code ?wait=applied}).
     *
     * @param outcome {@code applied}, {@code compile_error} (the files are in the preview, its dev server cannot
     *                compile them) or {@code timeout} (no report in time)
     * @param error   the compile error, only with {@code compile_error}
     */
    record Preview(UUID sessionId, String outcome, SessionResponses.@Nullable CompileFailure error) {
    }

    /** One file of a batch, written or deleted. */
    record BatchFile(String path, long version, long size, String sha256, boolean deleted) {
    }

    record Batch(List<BatchFile> files, @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable List<Preview> previews) {
    }

    /** A write stored in Kafka but not yet answered by the provisioner; {@code location} shows it once applied. */
    record Pending(UUID commandId, String status, URI location) {
    }

    record Entry(String path, long version, long size, Instant updatedAt) {
    }

    record Listing(List<Entry> files) {
    }
}
