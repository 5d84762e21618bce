package dev.velocitypreview.templates;

import dev.velocitypreview.core.session.MachineSize;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built-in templates, read once from the class path ({@code templates/catalog.json} and the files
 * it names). Loading fails with an {@link IllegalStateException} naming the broken entry when the index
 * and the resources disagree, so a bad catalog stops a service at start, not a user's session later.
 * Immutable and safe to share between threads.
 */
public final class TemplateCatalog {

    /** The template of a session that names none. */
    public static final String DEFAULT = "react";

    static final String ROOT = "templates/";
    static final String INDEX = ROOT + "catalog.json";

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final List<Template> templates;

    private TemplateCatalog(List<Template> templates) {
        this.templates = List.copyOf(templates);
    }

    /** The built-in catalog, loaded on first use and shared afterwards. */
    public static TemplateCatalog builtIn() {
        return BuiltIn.CATALOG;
    }

    /** Every template, in the catalog's stable order: react, vue, svelte, next, react-native. */
    public List<Template> all() {
        return templates;
    }

    /** The template of exactly this (lower-case) name. */
    public Optional<Template> named(String name) {
        return templates.stream().filter(template -> template.name().equals(name)).findFirst();
    }

    /** Holder idiom: the class path is read once, on first use, without locking afterwards. */
    private static final class BuiltIn {
        static final TemplateCatalog CATALOG = load(TemplateCatalog.class.getClassLoader());
    }

    static TemplateCatalog load(ClassLoader classLoader) {
        Index index;
        try {
            index = MAPPER.readValue(text(classLoader, INDEX), Index.class);
        } catch (JacksonException e) {
            throw new IllegalStateException("template catalog " + INDEX + " is not valid: " + e.getOriginalMessage(), e);
        }
        if (index.templates() == null || index.templates().isEmpty()) {
            throw new IllegalStateException("template catalog " + INDEX + " lists no templates");
        }
        Set<String> names = new HashSet<>();
        List<Template> templates = new ArrayList<>();
        for (Entry entry : index.templates()) {
            if (!names.add(entry.name())) {
                throw new IllegalStateException("template catalog " + INDEX + " lists '" + entry.name() + "' twice");
            }
            templates.add(template(classLoader, entry));
        }
        return new TemplateCatalog(templates);
    }

    private static Template template(ClassLoader classLoader, Entry entry) {
        String where = "template '" + entry.name() + "' in " + INDEX;
        if (entry.files() == null || !entry.files().contains("package.json")) {
            throw new IllegalStateException(where + " has no package.json");
        }
        if (new HashSet<>(entry.files()).size() != entry.files().size()) {
            throw new IllegalStateException(where + " lists a file twice");
        }
        List<TemplateFile> files = new ArrayList<>();
        for (String path : entry.files()) {
            try {
                files.add(new TemplateFile(path, text(classLoader, ROOT + entry.name() + "/" + path)));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(where + ": " + e.getMessage(), e);
            }
        }
        String packageJson = files.stream().filter(file -> file.path().equals("package.json")).findFirst()
                .orElseThrow().content();
        try {
            return new Template(entry.name(), entry.description(), entry.framework(), entry.mainFile(),
                    directDependencies(packageJson, where),
                    entry.minimumMachine() == null ? null : MachineSize.fromWire(entry.minimumMachine()),
                    files);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@code dependencies} then {@code devDependencies} of a package.json, in its order. */
    private static Map<String, String> directDependencies(String packageJson, String where) {
        JsonNode root;
        try {
            root = MAPPER.readTree(packageJson);
        } catch (JacksonException e) {
            throw new IllegalStateException(where + ": package.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
        Map<String, String> versions = new LinkedHashMap<>();
        for (String field : List.of("dependencies", "devDependencies")) {
            root.path(field).properties().forEach(dependency -> versions.put(dependency.getKey(), dependency.getValue().asString()));
        }
        return versions;
    }

    private static String text(ClassLoader classLoader, String resource) {
        try (InputStream in = classLoader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("template resource " + resource + " is listed in " + INDEX + " but missing from the class path");
            }
            // strict decoding: a template holds UTF-8 text only, and a binary file must fail here, not garble
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in.readAllBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("template resource " + resource + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new IllegalStateException("template resource " + resource + " could not be read", e);
        }
    }

    /** The shape of {@code catalog.json}. */
    private record Index(@Nullable List<Entry> templates) { }

    private record Entry(String name, String description, String framework, String mainFile,
                         @Nullable String minimumMachine, @Nullable List<String> files) { }
}
