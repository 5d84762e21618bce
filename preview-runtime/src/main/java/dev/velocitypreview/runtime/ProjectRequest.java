package dev.velocitypreview.runtime;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.velocitypreview.core.http.PreviewParameters;

/**
 * A request as the project sees it. Through the router in proxy mode a machine gets the path after
 * {@code /s/<session id>}; a Fly replay delivers the client's request as it was, so the same page arrives as
 * {@code /s/<session id>/x}. Both reach the project as {@code /x}, but only for this machine's own session id.
 * The platform's {@value PreviewParameters#PREVIEW_TOKEN} parameter never reaches the project: in proxy mode
 * the router removed it already, a replay still carries it.
 *
 * @param path     the decoded path, starting with {@code /}
 * @param rawQuery the raw query without the platform's parameters, or null when nothing is left
 */
record ProjectRequest(String path, String rawQuery) {

    private static final String SESSION_PATH = "/s/";

    /** @param session this machine's session id, or null while it is not known */
    static ProjectRequest of(URI uri, String session) {
        String decoded = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
        String prefix = sessionPrefix(session);
        String rawPath = uri.getRawPath();
        // Compared raw: the prefix has nothing to decode, so the decoded path starts with it too.
        String path = prefix != null && rawPath != null && rawPath.startsWith(prefix)
                ? decoded.substring(prefix.length() - 1)
                : decoded;
        return new ProjectRequest(path, withoutReserved(uri.getRawQuery()));
    }

    /**
     * The request target a project's server gets: the raw path after this session's prefix, the raw query
     * without the platform's parameters; nothing decoded, so the server sees the bytes the client sent.
     */
    static String forwardedTarget(URI uri, String session) {
        String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String prefix = sessionPrefix(session);
        String path = prefix != null && rawPath.startsWith(prefix) ? rawPath.substring(prefix.length() - 1) : rawPath;
        String query = withoutReserved(uri.getRawQuery());
        return query == null ? path : path + "?" + query;
    }

    /**
     * True for {@code /s/<session id>} without its slash: answered with a redirect to the slash, as the router
     * does, so that relative links resolve under the prefix.
     */
    static boolean isSessionRootWithoutSlash(URI uri, String session) {
        return session != null && (SESSION_PATH + session).equals(uri.getRawPath());
    }

    /** {@code /s/<session id>/}, or null when the session is not known. */
    static String sessionPrefix(String session) {
        return session == null ? null : SESSION_PATH + session + "/";
    }

    /**
     * {@code rawQuery} without its {@value PreviewParameters#PREVIEW_TOKEN} parameters (names compared decoded,
     * so {@code preview%5Ftoken} goes too), the others kept byte for byte and in order; null when none is left.
     */
    static String withoutReserved(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        List<String> kept = new ArrayList<>();
        for (String pair : rawQuery.split("&", -1)) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            if (!PreviewParameters.PREVIEW_TOKEN.equals(name) && !PreviewParameters.PREVIEW_TOKEN.equals(decode(name))) {
                kept.add(pair);
            }
        }
        return kept.isEmpty() ? null : String.join("&", kept);
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // broken percent-encoding: not the reserved name
            return raw;
        }
    }
}
