package dev.velocitypreview.sessions.api;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The JSON bodies of the files API. */
final class FileResponses {

    private FileResponses() {
    }

    /** A file written by {@code PUT}: durable once this is the answer. */
    record Written(String path, long version, long size, String sha256) {
    }

    /** A file removed by {@code DELETE}: the version it had. */
    record Deleted(String path, long version, boolean deleted) {
    }

    /** One file of a batch, written or deleted. */
    record BatchFile(String path, long version, long size, String sha256, boolean deleted) {
    }

    record Batch(List<BatchFile> files) {
    }

    /** A write stored in Kafka but not yet answered by the provisioner; {@code location} shows it once applied. */
    record Pending(UUID commandId, String status, URI location) {
    }

    record Entry(String path, long version, long size, Instant updatedAt) {
    }

    record Listing(List<Entry> files) {
    }
}
