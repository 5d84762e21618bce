/**
 * Which session a request is for ({@code /s/{id}/**} or {@code {id}.<preview-domain>}), what the
 * session's status means for it (route, hold, gone, broken, unknown) and the problem responses the
 * router writes itself.
 */
@NullMarked
package dev.velocitypreview.router.routing;

import org.jspecify.annotations.NullMarked;
