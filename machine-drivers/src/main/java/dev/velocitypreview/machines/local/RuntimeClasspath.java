package dev.velocitypreview.machines.local;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The class path a machine's JVM needs: the jar (or classes folder) of preview-runtime and of
 * each library it uses, and nothing else. Handing a machine the whole class path of the process
 * that starts it (hundreds of jars in the launcher) more than doubles its start-up CPU, because
 * every class lookup walks those jars; with hundreds of machines starting at once that CPU is
 * what bounds how fast previews become ready.
 */
final class RuntimeClasspath {

    /** A class from preview-runtime and one from each library it depends on. */
    private static final List<String> ANCHORS = List.of(
            "dev.velocitypreview.runtime.PreviewRuntime",
            "dev.velocitypreview.core.http.PreviewHeaders",
            "tools.jackson.core.JsonParser");

    private RuntimeClasspath() {
    }

    /**
     * @return the minimal class path, or this JVM's whole class path when an anchor's location
     *         cannot be told (for example inside a nested jar)
     */
    static String resolve() {
        Set<String> entries = new LinkedHashSet<>();
        for (String anchor : ANCHORS) {
            String location = locationOf(anchor);
            if (location == null) {
                return System.getProperty("java.class.path");
            }
            entries.add(location);
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String locationOf(String className) {
        try {
            Class<?> type = Class.forName(className, false, RuntimeClasspath.class.getClassLoader());
            CodeSource source = type.getProtectionDomain().getCodeSource();
            URL url = source == null ? null : source.getLocation();
            if (url == null || !"file".equals(url.getProtocol())) {
                return null;
            }
            return Path.of(url.toURI()).toString();
        } catch (ClassNotFoundException | URISyntaxException | SecurityException e) {
            return null;
        }
    }
}
