package dev.velocitypreview.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * What the runtime reads of a project's root {@code package.json}: its dev script, and which packages it
 * depends on (to know its dev server's framework).
 */
final class PackageManifest {

    private PackageManifest() {
    }

    /**
     * The command of {@code project/package.json}'s {@code scripts.dev}, when it has a non-blank one.
     *
     * @throws IOException when the file exists but is not a JSON object, with the parser's reason
     */
    static Optional<String> devScript(Path project) throws IOException {
        Path manifest = project.resolve(DependencyStore.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(manifest);
             JsonParser parser = new JsonFactory().createParser(ObjectReadContext.empty(), in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("package.json is not a JSON object");
            }
            String dev = null;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("scripts") && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                        String script = parser.currentName();
                        JsonToken command = parser.nextToken();
                        if (script.equals("dev") && command == JsonToken.VALUE_STRING && !parser.getString().isBlank()) {
                            dev = parser.getString();
                        }
                        parser.skipChildren();
                    }
                } else {
                    parser.skipChildren();
                }
            }
            return Optional.ofNullable(dev);
        } catch (JacksonException e) {
            throw new IOException("package.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The names in {@code dependencies} and {@code devDependencies}; empty when there is no {@code package.json}.
     *
     * @throws IOException when the file exists but is not a JSON object, with the parser's reason
     */
    static Set<String> dependencies(Path project) throws IOException {
        Path manifest = project.resolve(DependencyStore.MANIFEST);
        Set<String> names = new TreeSet<>();
        if (!Files.isRegularFile(manifest)) {
            return names;
        }
        try (InputStream in = Files.newInputStream(manifest);
             JsonParser parser = new JsonFactory().createParser(ObjectReadContext.empty(), in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("package.json is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ((name.equals("dependencies") || name.equals("devDependencies")) && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                        names.add(parser.currentName());
                        parser.nextToken();
                        parser.skipChildren();
                    }
                } else {
                    parser.skipChildren();
                }
            }
            return names;
        } catch (JacksonException e) {
            throw new IOException("package.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
