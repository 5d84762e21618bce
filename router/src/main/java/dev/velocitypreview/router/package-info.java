/** The router service: session directory, routing decisions and the reverse proxy to preview machines. */
@NullMarked
package dev.velocitypreview.router;

import org.jspecify.annotations.NullMarked;
