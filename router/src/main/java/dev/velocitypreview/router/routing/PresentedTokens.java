package dev.velocitypreview.router.routing;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The preview tokens a request for one session carries.
 *
 * @param inQuery    the values of its {@code preview_token} query parameters
 * @param inCookies  the values of its cookies named for the session
 * @param redirectable true for a page request (GET or HEAD, not a WebSocket upgrade): one that can be answered
 *                   with a redirect that sets the cookie. Other requests (a WebSocket handshake, a form post)
 *                   would lose their upgrade or body on a redirect, so a valid query token admits them as they are.
 */
record PresentedTokens(List<String> inQuery, List<String> inCookies, boolean redirectable) {

    PresentedTokens {
        inQuery = List.copyOf(Objects.requireNonNull(inQuery, "inQuery == null"));
        inCookies = List.copyOf(Objects.requireNonNull(inCookies, "inCookies == null"));
    }

    static PresentedTokens of(ServerHttpRequest request, UUID session) {
        return of(request.getMethod(), request.getURI().getRawQuery(), request.getHeaders(), session);
    }

    /** The same from the request's parts, for a request WebFlux never sees ({@link DirectRoutes}). */
    static PresentedTokens of(HttpMethod method, @Nullable String rawQuery, HttpHeaders headers, UUID session) {
        boolean page = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
        boolean upgrade = false;
        // a loop, not a stream: this runs for every request the router decides, and almost none upgrades
        for (String protocol : headers.getValuesAsList(HttpHeaders.UPGRADE)) {
            upgrade |= "websocket".equalsIgnoreCase(protocol);
        }
        return new PresentedTokens(TokenParameter.values(rawQuery), PreviewCookie.values(headers, session), page && !upgrade);
    }

    /** The tokens are capabilities: they never appear in logs or messages. */
    @Override
    public String toString() {
        return "PresentedTokens[" + inQuery.size() + " in query, " + inCookies.size() + " in cookies"
                + (redirectable ? ", redirectable" : "") + "]";
    }
}
