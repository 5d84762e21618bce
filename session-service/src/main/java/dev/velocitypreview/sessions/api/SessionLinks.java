package dev.velocitypreview.sessions.api;

import java.net.URI;
import java.util.UUID;

/** Where clients find a session's preview and its status. */
record SessionLinks(String previewBase, String publicBase) {

    static SessionLinks of(URI previewBaseUrl, URI publicBaseUrl) {
        return new SessionLinks(withoutTrailingSlash(previewBaseUrl), withoutTrailingSlash(publicBaseUrl));
    }

    URI previewUrl(UUID sessionId) {
        return URI.create(previewBase + "/s/" + sessionId + "/");
    }

    URI statusUrl(UUID sessionId) {
        return URI.create(publicBase + "/v1/sessions/" + sessionId);
    }

    private static String withoutTrailingSlash(URI url) {
        String text = url.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }
}
