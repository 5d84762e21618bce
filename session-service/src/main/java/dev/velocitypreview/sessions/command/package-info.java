/** Publishing session commands to Kafka and waiting for the broker's acknowledgement. */
@NullMarked
package dev.velocitypreview.sessions.command;

import org.jspecify.annotations.NullMarked;
