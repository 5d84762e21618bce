package dev.velocitypreview.router.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

/**
 * What the router changes in a machine's response headers on their way to the client, for the sake of private
 * previews: a machine never sets a reserved preview cookie (in path style every session shares one origin, and
 * one session's machine could otherwise overwrite another's cookie), and a private session's responses are for
 * the one browser only, never for a shared cache that would hand them to someone without a token.
 */
final class MachineResponseHeaders {

    private MachineResponseHeaders() {
    }

    static void sanitize(HttpHeaders response, boolean privateSession) {
        List<String> cookies = response.getOrEmpty(HttpHeaders.SET_COOKIE);
        if (anyReserved(cookies)) {
            List<String> kept = cookies.stream().filter(cookie -> !PreviewCookie.isReserved(cookie)).toList();
            response.remove(HttpHeaders.SET_COOKIE);
            kept.forEach(cookie -> response.add(HttpHeaders.SET_COOKIE, cookie));
        }
        if (privateSession) {
            response.setCacheControl(privateCacheControl(response.getCacheControl()));
        }
    }

    /** A loop, not a stream: this runs on every proxied response, and most have no cookie at all. */
    private static boolean anyReserved(List<String> cookies) {
        for (String cookie : cookies) {
            if (PreviewCookie.isReserved(cookie)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The machine's {@code Cache-Control} without what lets shared caches store the response ({@code public},
     * {@code s-maxage}), plus {@code private} unless it already forbids storing; the browser's own caching is kept.
     */
    static String privateCacheControl(@Nullable String cacheControl) {
        List<String> directives = new ArrayList<>();
        boolean restricted = false;
        if (cacheControl != null) {
            for (String directive : cacheControl.split(",")) {
                String trimmed = directive.trim();
                String name = trimmed.toLowerCase(Locale.ROOT);
                if (trimmed.isEmpty() || name.equals("public") || name.startsWith("s-maxage")) {
                    continue;
                }
                restricted |= name.equals("private") || name.equals("no-store");
                directives.add(trimmed);
            }
        }
        if (!restricted) {
            directives.add(0, "private");
        }
        return String.join(", ", directives);
    }
}
