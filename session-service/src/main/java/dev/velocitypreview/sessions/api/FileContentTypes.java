package dev.velocitypreview.sessions.api;

import java.util.Locale;
import java.util.Map;

/** The content type of a project file by its extension; every project file is UTF-8 text. */
final class FileContentTypes {

    private static final String TEXT = "text/plain;charset=utf-8";
    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", "text/html;charset=utf-8"),
            Map.entry("htm", "text/html;charset=utf-8"),
            Map.entry("css", "text/css;charset=utf-8"),
            Map.entry("js", "text/javascript;charset=utf-8"),
            Map.entry("mjs", "text/javascript;charset=utf-8"),
            Map.entry("cjs", "text/javascript;charset=utf-8"),
            Map.entry("jsx", "text/javascript;charset=utf-8"),
            Map.entry("ts", "text/x-typescript;charset=utf-8"),
            Map.entry("tsx", "text/x-typescript;charset=utf-8"),
            Map.entry("json", "application/json;charset=utf-8"),
            Map.entry("md", "text/markdown;charset=utf-8"),
            Map.entry("svg", "image/svg+xml;charset=utf-8"),
            Map.entry("xml", "application/xml;charset=utf-8"),
            Map.entry("vue", "text/plain;charset=utf-8"),
            Map.entry("svelte", "text/plain;charset=utf-8"));

    private FileContentTypes() {
    }

    static String of(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? TEXT : BY_EXTENSION.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), TEXT);
    }
}
