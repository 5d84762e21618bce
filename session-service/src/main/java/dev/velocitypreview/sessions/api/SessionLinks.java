package dev.velocitypreview.sessions.api;

import java.net.URI;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.http.PreviewParameters;

/** Where clients find a session's preview and its status. */
record SessionLinks(String previewBase, String publicBase) {

    static SessionLinks of(URI previewBaseUrl, URI publicBaseUrl) {
        return new SessionLinks(withoutTrailingSlash(previewBaseUrl), withoutTrailingSlash(publicBaseUrl));
    }

    /** The preview's address; with the token as a query parameter when there is one. */
    URI previewUrl(UUID sessionId, @Nullable String previewToken) {
        String url = previewBase + "/s/" + sessionId + "/";
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
