/** The router's session directory, hosted through platform-boot's {@code boot.directory}, and its actuator endpoint. */
@NullMarked
package dev.velocitypreview.router.directory;

import org.jspecify.annotations.NullMarked;
