/**
 * Asking the cleanup service for a pass now ({@code POST /v1/admin/cleanup}): a request on every partition of
 * {@code preview.cleanup-requests}, the reports gathered from {@code preview.cleanup-reports} by spring-kafka's
 * {@code AggregatingReplyingKafkaTemplate}.
 */
@NullMarked
package dev.velocitypreview.sessions.cleanup;

import org.jspecify.annotations.NullMarked;
