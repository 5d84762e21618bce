/**
 * The HTTP API: {@code /v1/sessions} (the caller's own sessions) and {@code /v1/admin/sessions};
 * validation, ownership, per-tier quotas, preview tokens for private sessions, problem+json errors.
 */
@NullMarked
package dev.velocitypreview.sessions.api;

import org.jspecify.annotations.NullMarked;
