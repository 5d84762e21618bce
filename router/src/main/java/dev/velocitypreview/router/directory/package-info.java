/** The router's session directory: its Kafka Streams settings, lifecycle and readiness. */
@NullMarked
package dev.velocitypreview.router.directory;

import org.jspecify.annotations.NullMarked;
