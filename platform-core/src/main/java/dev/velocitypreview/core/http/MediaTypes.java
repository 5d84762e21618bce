package dev.velocitypreview.core.http;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Media types by file extension, for what web projects hold: the one table behind the files API (which serves every
 * project file as UTF-8 text) and the preview runtime (which serves a static project's files as they are); each adds
 * its own charset and default. JDK only, as the runtime has this module without its dependencies.
 */
public final class MediaTypes {

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", "text/html"),
            Map.entry("htm", "text/html"),
            Map.entry("css", "text/css"),
            Map.entry("js", "text/javascript"),
            Map.entry("mjs", "text/javascript"),
            Map.entry("cjs", "text/javascript"),
            Map.entry("jsx", "text/javascript"),
            Map.entry("ts", "text/x-typescript"),
            Map.entry("tsx", "text/x-typescript"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("xml", "application/xml"),
            Map.entry("txt", "text/plain"),
            Map.entry("md", "text/markdown"),
            Map.entry("csv", "text/csv"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("avif", "image/avif"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("otf", "font/otf"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("wav", "audio/wav"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"));

    private MediaTypes() {
    }

    /** The media type, without parameters, by the extension of the last segment of {@code path}; empty when unknown. */
    public static Optional<String> of(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Optional.empty()
                : Optional.ofNullable(BY_EXTENSION.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
    }

    /** Whether {@code mediaType} (one of this table's) is text: {@code text/*}, JSON, XML and their {@code +json}, {@code +xml} kin. */
    public static boolean isText(String mediaType) {
        return mediaType.startsWith("text/") || mediaType.equals("application/json") || mediaType.equals("application/xml")
                || mediaType.endsWith("+json") || mediaType.endsWith("+xml");
    }
}
