package dev.velocitypreview.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TemplateCatalogTest {

    /** The resource tree as it is in the source, so a file added without an index entry is caught. */
    private static final Path SOURCE = Path.of("src/main/resources/templates");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TemplateCatalog catalog = TemplateCatalog.builtIn();

    @Test
    void listsTheFiveTemplatesInTheirStableOrder() {
        assertThat(catalog.all()).extracting(Template::name)
                .containsExactly("react", "vue", "svelte", "next", "react-native");
    }

    @Test
    void defaultTemplateIsInTheCatalog() {
        assertThat(catalog.named(TemplateCatalog.DEFAULT)).isPresent();
        assertThat(catalog.named("React")).isEmpty();
        assertThat(catalog.named("angular")).isEmpty();
    }

    @Test
    void indexListsExactlyTheFilesOfEachTemplateDirectory() throws IOException {
        Set<String> directories;
        try (Stream<Path> children = Files.list(SOURCE)) {
            directories = children.filter(Files::isDirectory).map(path -> path.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(directories).containsExactlyInAnyOrderElementsOf(
                catalog.all().stream().map(Template::name).toList());
        for (Template template : catalog.all()) {
            Path root = SOURCE.resolve(template.name());
            Set<String> onDisk;
            try (Stream<Path> walk = Files.walk(root)) {
                onDisk = walk.filter(Files::isRegularFile)
                        .map(path -> root.relativize(path).toString().replace('\\', '/'))
                        .collect(Collectors.toCollection(TreeSet::new));
            }
            assertThat(template.files()).extracting(TemplateFile::path)
                    .as("files of template %s", template.name())
                    .containsExactlyInAnyOrderElementsOf(onDisk);
            for (TemplateFile file : template.files()) {
                assertThat(file.content()).as("%s/%s", template.name(), file.path())
                        .isEqualTo(Files.readString(root.resolve(file.path())));
            }
        }
    }

    @Test
    void everyTemplateHasADevScriptAndExactVersionsPinnedByItsLockfile() {
        for (Template template : catalog.all()) {
            JsonNode manifest = JSON.readTree(content(template, "package.json"));
            JsonNode lock = JSON.readTree(content(template, "package-lock.json"));
            String name = template.name();

            assertThat(manifest.path("scripts").path("dev").asString("")).as("%s: scripts.dev", name).isNotBlank();
            assertThat(manifest.path("scripts").path("build").asString("")).as("%s: scripts.build", name).isNotBlank();

            Map<String, String> declared = new LinkedHashMap<>();
            for (String field : List.of("dependencies", "devDependencies")) {
                manifest.path(field).properties().forEach(entry -> declared.put(entry.getKey(), entry.getValue().asString()));
            }
            assertThat(template.versions()).as("%s: versions", name).isEqualTo(declared).isNotEmpty();
            assertThat(template.versions().values()).as("%s: exact versions", name)
                    .allMatch(version -> version.matches("[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?"));

            assertThat(lock.path("lockfileVersion").asInt()).as("%s: lockfile version", name).isEqualTo(3);
            JsonNode rootPackage = lock.path("packages").path("");
            for (String field : List.of("dependencies", "devDependencies")) {
                assertThat(rootPackage.path(field)).as("%s: lockfile root %s", name, field).isEqualTo(manifest.path(field));
            }
            template.versions().forEach((dependency, version) ->
                    assertThat(lock.path("packages").path("node_modules/" + dependency).path("version").asString(""))
                            .as("%s: locked version of %s", name, dependency).isEqualTo(version));
            // only the npm registry (or no URL at all: then npm uses the configured registry)
            lock.path("packages").properties().forEach(entry -> {
                String resolved = entry.getValue().path("resolved").asString("");
                assertThat(resolved.isEmpty() || resolved.startsWith("https://registry.npmjs.org/"))
                        .as("%s: %s resolved from %s", name, entry.getKey(), resolved).isTrue();
            });
        }
    }

    @Test
    void mainFileIsOneOfTheTemplatesFilesAndPathsAreRelative() {
        for (Template template : catalog.all()) {
            assertThat(template.files()).extracting(TemplateFile::path).as(template.name())
                    .contains(template.mainFile(), "package.json", "package-lock.json")
                    .allSatisfy(path -> {
                        assertThat(path).doesNotStartWith("/").doesNotContain("\\").doesNotContain("//");
                        assertThat(path.split("/")).doesNotContain("..", ".");
                    });
        }
    }

    @Test
    void onlyTheNextTemplateNeedsALargerMachine() {
        assertThat(catalog.all()).filteredOn(template -> template.minimumMachine() != null)
                .extracting(Template::name).containsExactly("next");
    }

    private static String content(Template template, String path) {
        return template.files().stream().filter(file -> file.path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(template.name() + " has no " + path)).content();
    }
}
