/**
 * The operator console at {@code /console}: one page that polls {@code GET /console/data} every two seconds and
 * redraws. It adds no source of truth: sessions and machines come from this API's own view (the scan of
 * {@code GET /v1/admin/statistics}), every other figure from the Prometheus endpoints of this process and of
 * {@code velocity.session-service.console.metrics-sources}, scraped server-side so the browser talks to this
 * service alone. See docs/console.md.
 */
@NullMarked
package dev.velocitypreview.sessions.console;

import org.jspecify.annotations.NullMarked;
