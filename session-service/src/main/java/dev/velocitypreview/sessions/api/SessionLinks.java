package dev.velocitypreview.sessions.api;

import java.net.URI;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.http.PreviewParameters;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.SessionServiceProperties.PreviewStyle;

/**
 * Where clients find a session's preview and its status.
 *
 * @param previewPrefix what comes before the session id in a previewUrl ({@code http://} or {@code <base>/s/})
 * @param previewSuffix what comes after it, up to the path's trailing slash ({@code .<domain>:<port>} or nothing)
 */
record SessionLinks(String previewPrefix, String previewSuffix, String publicBase) {

    static SessionLinks of(SessionServiceProperties properties) {
        return of(properties.previewBaseUrl(), properties.previewStyle(), properties.previewDomain(),
                properties.publicBaseUrl());
    }

    static SessionLinks of(URI previewBaseUrl, PreviewStyle style, String previewDomain, URI publicBaseUrl) {
        String publicBase = withoutTrailingSlash(publicBaseUrl);
        if (style == PreviewStyle.PATH) {
            return new SessionLinks(withoutTrailingSlash(previewBaseUrl) + "/s/", "", publicBase);
        }
        // the routers' address as browsers reach it gives the scheme and the port; the host is the preview's own
        return new SessionLinks(previewBaseUrl.getScheme() + "://",
                "." + previewDomain + (previewBaseUrl.getPort() < 0 ? "" : ":" + previewBaseUrl.getPort()), publicBase);
    }

    /** The preview's address; with the token as a query parameter when there is one. */
    URI previewUrl(UUID sessionId, @Nullable String previewToken) {
        String url = previewPrefix + sessionId + previewSuffix + "/";
        // tokens are made of URL-safe characters (v1.<uuid>.<digits>.<base64url>)
        return URI.create(previewToken == null ? url : url + "?" + PreviewParameters.PREVIEW_TOKEN + "=" + previewToken);
    }

    URI statusUrl(UUID sessionId) {
        return URI.create(publicBase + "/v1/sessions/" + sessionId);
    }

    private static String withoutTrailingSlash(URI url) {
        String text = url.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }
}
