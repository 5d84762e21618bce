package dev.velocitypreview.sessions.api;

import org.jspecify.annotations.Nullable;

/** A file's version as an entity tag: {@code "3"}, strong, the only form the files API hands out and accepts. */
final class FileVersions {

    private FileVersions() {
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** The version an {@code If-Match} names; null when there is none. */
    static @Nullable Long ifMatch(@Nullable String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String tag = header.strip();
        if (tag.length() < 3 || tag.charAt(0) != '"' || tag.charAt(tag.length() - 1) != '"') {
            throw invalidIfMatch("If-Match must be one version as its ETag, such as \"3\"; got " + tag);
        }
        try {
            long version = Long.parseLong(tag.substring(1, tag.length() - 1));
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw invalidIfMatch("If-Match must be one version as its ETag, such as \"3\"; got " + tag);
    }

    /** True when {@code If-None-Match} lists the version (or is {@code *}). */
    static boolean noneMatch(@Nullable String header, long version) {
        if (header == null) {
            return false;
        }
        String etag = etag(version);
        for (String candidate : header.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    static ApiProblem invalidIfMatch(String detail) {
        return ApiProblem.badRequest("invalid_if_match", detail);
    }
}
