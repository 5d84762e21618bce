/** The session API process: accepts session requests, publishes commands, answers reads from its own view. */
@NullMarked
package dev.velocitypreview.sessions;

import org.jspecify.annotations.NullMarked;
