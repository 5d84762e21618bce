/**
 * Server-Sent Events of a session's view ({@code GET /v1/sessions/{id}/events}): every change the API's own
 * session directory accepts is pushed to the streams open for that session, in version order, never an older
 * version than one already sent; a stream ends after a terminal status. The directory tells its listener on its
 * stream thread, which must not block, so events are written from a pool of this package's own (a client that
 * reads slowly holds one of its threads, never the directory's).
 */
@NullMarked
package dev.velocitypreview.sessions.events;

import org.jspecify.annotations.NullMarked;
