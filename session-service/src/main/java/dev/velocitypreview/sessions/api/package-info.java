/**
 * The HTTP API: {@code /v1/sessions} (the caller's own sessions, and extending them within the tier's lifetime
 * cap), {@code /v1/admin/sessions}, {@code /v1/admin/statistics} and {@code /v1/admin/cleanup}; validation,
 * ownership, per-tier quotas, preview tokens for private sessions, problem+json errors, the API's metrics.
 */
@NullMarked
package dev.velocitypreview.sessions.api;

import org.jspecify.annotations.NullMarked;
