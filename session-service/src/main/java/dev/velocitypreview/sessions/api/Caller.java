package dev.velocitypreview.sessions.api;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.UserId;

/** Who is asking, from {@code X-User-Id} until the API verifies tokens. */
record Caller(String userId) {

    Caller {
        UserId.require(userId);
    }

    /** @throws ApiProblem 401 when the header is missing or not a user id */
    static Caller from(@Nullable String header) {
        if (header == null || header.isEmpty()) {
            throw ApiProblem.unauthenticated(PreviewHeaders.USER_ID + " header is required");
        }
        try {
            return new Caller(header);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.unauthenticated(PreviewHeaders.USER_ID + " header: " + e.getMessage());
        }
    }

    boolean owns(@Nullable String ownerId) {
        return userId.equals(ownerId);
    }
}
