package dev.velocitypreview.router.routing;

import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionId;

/**
 * Which preview a request is for: host style ({@code {id}.<preview-domain>[:port]}, the whole path goes to
 * the machine) wins over path style ({@code /s/{id}/...}, the path after {@code /s/{id}} goes).
 *
 * @param sessionId the validated id; set for {@link Kind#PREVIEW} and {@link Kind#ADD_SLASH}
 * @param rawId     the id as it arrived, untrusted; set for {@link Kind#MALFORMED}, to be quoted, never echoed raw
 * @param path      the raw path for the machine (starts with {@code /}); empty unless {@link Kind#PREVIEW}
 * @param prefix    the path prefix the router consumed ({@code /s/{id}}); null in host style
 */
record PreviewAddress(Kind kind, @Nullable UUID sessionId, @Nullable String rawId, String path, @Nullable String prefix) {

    private static final String PATH_PREFIX = "/s/";
    private static final PreviewAddress NONE = new PreviewAddress(Kind.NONE, null, null, "", null);

    enum Kind {
        /** Not a preview request: the router's own endpoints handle it. */
        NONE,
        /** Looks like a preview request but the id is not a session id: 400. */
        MALFORMED,
        /** {@code /s/{id}} without the trailing slash: 308 to {@code /s/{id}/}, so relative links resolve. */
        ADD_SLASH,
        /** A request for the preview of {@link #sessionId}. */
        PREVIEW
    }

    PreviewAddress {
        Objects.requireNonNull(kind, "kind == null");
        Objects.requireNonNull(path, "path == null");
    }

    /**
     * @param rawPath       the request's raw (still percent-encoded) path
     * @param host          the {@code Host} header, if any
     * @param previewDomain lower-case host suffix of host-style previews
     */
    static PreviewAddress resolve(String rawPath, @Nullable String host, String previewDomain) {
        String label = hostLabel(host, previewDomain);
        if (label != null) {
            return SessionId.isValid(label)
                    ? new PreviewAddress(Kind.PREVIEW, UUID.fromString(label), null, rawPath.isEmpty() ? "/" : rawPath, null)
                    : malformed(label);
        }
        if (!rawPath.startsWith(PATH_PREFIX)) {
            return NONE;
        }
        int end = rawPath.indexOf('/', PATH_PREFIX.length());
        String segment = rawPath.substring(PATH_PREFIX.length(), end < 0 ? rawPath.length() : end);
        if (segment.isEmpty()) {
            return NONE;
        }
        if (!SessionId.isValid(segment)) {
            return malformed(segment);
        }
        UUID id = UUID.fromString(segment);
        if (end < 0) {
            return new PreviewAddress(Kind.ADD_SLASH, id, null, "", PATH_PREFIX + segment);
        }
        return new PreviewAddress(Kind.PREVIEW, id, null, rawPath.substring(end), PATH_PREFIX + segment);
    }

    /**
     * True when the request is addressed to a preview, well-formed or not ({@link #resolve} is not
     * {@link Kind#NONE}, or is for {@code /s/} itself); cheaper than resolving it.
     */
    static boolean isForPreview(String rawPath, @Nullable String host, String previewDomain) {
        return rawPath.startsWith(PATH_PREFIX) || hostLabel(host, previewDomain) != null;
    }

    /** The session id label of a host-style preview host, or null when {@code host} is not one. */
    private static @Nullable String hostLabel(@Nullable String host, String previewDomain) {
        if (host == null || host.startsWith("[")) {
            return null;
        }
        int colon = host.lastIndexOf(':');
        String name = (colon < 0 ? host : host.substring(0, colon)).toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String suffix = "." + previewDomain;
        if (!name.endsWith(suffix) || name.length() == suffix.length()) {
            return null;
        }
        return name.substring(0, name.length() - suffix.length());
    }

    private static PreviewAddress malformed(String rawId) {
        return new PreviewAddress(Kind.MALFORMED, null, rawId, "", null);
    }

    /** The session id; only for {@link Kind#PREVIEW} and {@link Kind#ADD_SLASH}. */
    UUID requireSessionId() {
        if (sessionId == null) {
            throw new IllegalStateException("a " + kind + " address has no session id");
        }
        return sessionId;
    }
}
