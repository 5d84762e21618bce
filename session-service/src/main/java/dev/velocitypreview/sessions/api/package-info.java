/** The HTTP API under {@code /v1/sessions}: validation, authorization, problem+json errors. */
@NullMarked
package dev.velocitypreview.sessions.api;

import org.jspecify.annotations.NullMarked;
