/** The service's own view of sessions (platform-core's {@code SessionDirectory}): setup, start, health. */
@NullMarked
package dev.velocitypreview.sessions.directory;

import org.jspecify.annotations.NullMarked;
