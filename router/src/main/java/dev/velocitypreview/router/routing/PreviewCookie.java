package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;

/**
 * The cookie a preview token is exchanged for: {@code vp_preview_<first 8 hex digits of the session id>},
 * {@code HttpOnly}, {@code SameSite=Lax}, {@code Secure} when the client used https, living as long as the
 * token, and scoped to the one session: {@code Path=/s/<id>/} in path style, host-only with {@code Path=/} in
 * host style (the host is the session's own).
 *
 * <p>Path and host already keep two sessions' cookies apart; the id in the name is a second line for cookies
 * another preview's code may set on a broader path or on the parent domain. Such a cookie can share our name,
 * so every cookie of that name is tried and a valid one is enough. Every {@value #PREFIX}* cookie is reserved:
 * it is removed from requests before they reach a machine and a machine cannot set one.
 */
final class PreviewCookie {

    static final String PREFIX = "vp_preview_";

    private PreviewCookie() {
    }

    static String name(UUID session) {
        return PREFIX + session.toString().substring(0, 8);
    }

    /**
     * @param pathPrefix the session's path prefix ({@code /s/<id>}) in path style, null in host style
     * @param maxAge     the token's remaining lifetime
     */
    static ResponseCookie issue(UUID session, String token, Duration maxAge, boolean secure, @Nullable String pathPrefix) {
        return ResponseCookie.from(name(session), token)
                .httpOnly(true)
                .secure(secure)
                .sameSite("Lax")
                .path(pathPrefix == null ? "/" : pathPrefix + "/")
                .maxAge(maxAge)
                .build();
    }

    /** The values of every cookie named for {@code session} in the request's {@code Cookie} headers. */
    static List<String> values(HttpHeaders request, UUID session) {
        String name = name(session);
        List<String> values = new ArrayList<>();
        for (String pair : pairs(request)) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
                values.add(unquote(pair.substring(equals + 1).trim()));
            }
        }
        return values;
    }

    /**
     * Removes every reserved cookie from the request's {@code Cookie} headers, keeping the others as they were
     * (joined into one header, as HTTP/1.1 to the machine wants); no header when nothing is left. Headers without
     * a reserved cookie stay untouched.
     */
    static void strip(HttpHeaders request) {
        List<String> pairs = pairs(request);
        List<String> kept = pairs.stream().filter(pair -> !isReserved(pair)).toList();
        if (kept.size() == pairs.size()) {
            return;
        }
        request.remove(HttpHeaders.COOKIE);
        if (!kept.isEmpty()) {
            request.set(HttpHeaders.COOKIE, String.join("; ", kept));
        }
    }

    /** True when the request's {@code Cookie} headers carry a reserved cookie, the ones {@link #strip} removes. */
    static boolean anyReserved(HttpHeaders request) {
        return request.getOrEmpty(HttpHeaders.COOKIE).stream().anyMatch(header -> header.contains(PREFIX))
                && pairs(request).stream().anyMatch(PreviewCookie::isReserved);
    }

    /** True when a {@code Set-Cookie} value or a {@code name=value} pair is for a reserved cookie. */
    static boolean isReserved(String cookie) {
        return cookie.stripLeading().startsWith(PREFIX);
    }

    private static List<String> pairs(HttpHeaders request) {
        List<String> pairs = new ArrayList<>();
        // Not getValuesAsList: that splits on commas, which cookie values in the wild contain.
        for (String header : request.getOrEmpty(HttpHeaders.COOKIE)) {
            for (String pair : header.split(";")) {
                if (!pair.isBlank()) {
                    pairs.add(pair.trim());
                }
            }
        }
        return pairs;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }
}
