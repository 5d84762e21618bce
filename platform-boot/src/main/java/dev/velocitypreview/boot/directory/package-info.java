/**
 * How a Spring service hosts platform-core's {@code SessionDirectory}: the Kafka Streams settings it is
 * made of, the lifecycle that starts it once its topics exist and closes it after the web server, and
 * the health that keeps the service out of readiness until the directory has caught up. The router and
 * the session API host it the same way through these classes.
 */
@NullMarked
package dev.velocitypreview.boot.directory;

import org.jspecify.annotations.NullMarked;
