/**
 * Who is calling: bearer JWTs verified by Spring Security's resource server (an HS256 secret or an
 * identity provider's JWK set), turned into a {@link dev.velocitypreview.sessions.identity.Caller};
 * 401 and 403 as problem+json; {@link dev.velocitypreview.sessions.identity.DevTokens} for the
 * embedded default.
 */
@NullMarked
package dev.velocitypreview.sessions.identity;

import org.jspecify.annotations.NullMarked;
