/** The service's own view of sessions (platform-core's {@code SessionDirectory}), hosted through platform-boot. */
@NullMarked
package dev.velocitypreview.sessions.directory;

import org.jspecify.annotations.NullMarked;
