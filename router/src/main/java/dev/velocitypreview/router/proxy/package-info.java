/**
 * Forwarding a routed request to its machine, as {@code velocity.router.mode} says: an HTTP reverse proxy and
 * WebSocket relay ({@code proxy}), or a {@code fly-replay} answer that has Fly's proxy deliver it ({@code fly-replay}).
 */
@NullMarked
package dev.velocitypreview.router.proxy;

import org.jspecify.annotations.NullMarked;
