/**
 * Which session a request is for ({@code /s/{id}/**} or {@code {id}.<preview-domain>}), whether it may go through
 * to it (private previews), what the session's status means for it (route, hold, gone, broken, unknown) and the
 * problem responses the router writes itself.
 *
 * <h2>Private previews</h2>
 * A session created with visibility {@code private} needs a preview token ({@link
 * dev.velocitypreview.core.access.PreviewToken}, HMAC with the secret {@code velocity.router.preview-token-secret}
 * shares with session-service; checked here, no database). A link carries it as {@code ?preview_token=}; a page
 * request with a valid one is redirected (303) to the same URL without it and gets it as a cookie
 * ({@link PreviewCookie}); later requests, WebSocket upgrades included, present the cookie. A missing, expired,
 * forged, malformed or other session's token is a 401 problem that says which (never quoting the token); a bad
 * token in the query is refused even when the cookie is valid, so an outdated link says so. Without a secret,
 * private sessions get 503 and are never served unprotected. Public sessions need nothing.
 *
 * <p>Choices:
 * <ul>
 *   <li>The token is checked as soon as the session's view is known, before any hold: a private session on its
 *       way does not hold a connection for a request that will be refused. The view a hold ends with is checked
 *       again, since it is the one the request is decided on.</li>
 *   <li>Every answer about a private session but "a token is required" needs the token, terminated (410) and
 *       failed (502) included: a failure's detail can quote the project's own output. A 401 does tell that the
 *       session exists, which an unguessable id makes harmless, and it leaves out the session's status.</li>
 *   <li>{@code preview_token} and cookies named {@code vp_preview_*} are reserved on every preview, public ones
 *       included: they are removed before a request reaches a machine, and a machine cannot set such a cookie.</li>
 *   <li>A private session's responses get {@code Cache-Control: private}, so no shared cache in front of the
 *       router hands them to someone without a token.</li>
 *   <li>In {@code fly-replay} mode the access decision is the same, but Fly's proxy replays the client's own request
 *       and returns the machine's response directly: there the preview runtime removes {@code preview_token} before
 *       its file server sees the request and sets no cookies; what a future dev server would need is in
 *       docs/deploy-fly.md.</li>
 *   <li>In path style every preview shares the router's origin, so a page of one preview open in the same
 *       browser can request another's with that browser's cookie; host style gives each session its own origin
 *       and is the one to use where private previews of different owners meet in one browser.</li>
 * </ul>
 */
@NullMarked
package dev.velocitypreview.router.routing;

import org.jspecify.annotations.NullMarked;
