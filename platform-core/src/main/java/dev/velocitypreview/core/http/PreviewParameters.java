package dev.velocitypreview.core.http;

/** Query parameter names the platform reserves on every preview URL. */
public final class PreviewParameters {

    /**
     * Carries a private session's preview token in a shared link. Reserved on every preview: the router
     * takes it and, in proxy mode, removes it; behind a Fly replay the runtime keeps it from the project.
     */
    public static final String PREVIEW_TOKEN = "preview_token";

    private PreviewParameters() {
    }
}
