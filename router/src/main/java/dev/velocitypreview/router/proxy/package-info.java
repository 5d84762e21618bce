/** Forwarding a routed request to its machine: HTTP reverse proxy and WebSocket relay. */
@NullMarked
package dev.velocitypreview.router.proxy;

import org.jspecify.annotations.NullMarked;
