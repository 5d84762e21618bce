package dev.velocitypreview.router.routing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.http.PreviewParameters;

/**
 * The query parameter {@value #NAME} that carries a preview token in a shared link. The router reserves it on
 * every preview: it is read here and never reaches a machine.
 */
final class TokenParameter {

    static final String NAME = PreviewParameters.PREVIEW_TOKEN;

    private TokenParameter() {
    }

    /** The values of every {@value #NAME} parameter in {@code rawQuery}, decoded, in order. */
    static List<String> values(@Nullable String rawQuery) {
        List<String> values = new ArrayList<>();
        if (rawQuery == null) {
            return values;
        }
        for (String pair : rawQuery.split("&", -1)) {
            int equals = pair.indexOf('=');
            if (isToken(equals < 0 ? pair : pair.substring(0, equals))) {
                values.add(equals < 0 ? "" : decode(pair.substring(equals + 1)));
            }
        }
        return values;
    }

    /**
     * {@code rawQuery} without its {@value #NAME} parameters, every other parameter kept byte for byte and in
     * order; null when nothing is left.
     */
    static @Nullable String strip(@Nullable String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        List<String> kept = new ArrayList<>();
        for (String pair : rawQuery.split("&", -1)) {
            int equals = pair.indexOf('=');
            if (!isToken(equals < 0 ? pair : pair.substring(0, equals))) {
                kept.add(pair);
            }
        }
        return kept.isEmpty() ? null : String.join("&", kept);
    }

    /** Compares decoded names, so {@code preview%5Ftoken} cannot carry a token past the strip. */
    private static boolean isToken(String rawName) {
        return NAME.equals(rawName) || NAME.equals(decode(rawName));
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // Broken percent-encoding: not one of our names, and not a token either.
            return raw;
        }
    }
}
