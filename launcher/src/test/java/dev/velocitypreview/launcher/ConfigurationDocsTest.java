package dev.velocitypreview.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code velocity.*} setting is documented in {@code docs/configuration.md}, with the
 * default and description its properties record declares. Run with {@code -Dvelocity.docs.update=true}
 * to rewrite the file from the records.
 */
class ConfigurationDocsTest {

    private static final Path DOC = Path.of("../docs/configuration.md");

    @Test
    void everySettingHasADescription() throws IOException {
        assertThat(settings().entrySet())
                .filteredOn(setting -> setting.getValue().path("description").asString("").isBlank())
                .extracting(Map.Entry::getKey)
                .as("settings without a javadoc line on their properties record")
                .isEmpty();
    }

    @Test
    void everySettingIsDocumentedWithItsDefault() throws IOException {
        String expected = render(settings());
        if (Boolean.getBoolean("velocity.docs.update")) {
            Files.writeString(DOC, expected);
        }
        assertThat(Files.readString(DOC))
                .as("docs/configuration.md is out of date: run mvn -pl launcher test "
                        + "-Dtest=ConfigurationDocsTest -Dvelocity.docs.update=true")
                .isEqualTo(expected);
    }

    private static Map<String, JsonNode> settings() throws IOException {
        JsonMapper mapper = JsonMapper.builder().build();
        Map<String, JsonNode> byName = new TreeMap<>();
        for (URL url : Collections.list(ConfigurationDocsTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                for (JsonNode property : mapper.readTree(in).path("properties")) {
                    String name = property.path("name").asString();
                    if (name.startsWith("velocity.")) {
                        byName.put(name, property);
                    }
                }
            }
        }
        return byName;
    }

    private static String render(Map<String, JsonNode> settings) {
        StringBuilder out = new StringBuilder("""
                # Configuration

                Every setting of every service, with its default. Each service reads its own file
                (`provisioner.yml`, `router.yml`, `session-service.yml`, `cleanup.yml`); any setting can also be given as
                an environment variable (`VELOCITY_ROUTER_MAX_HOLD=90s`) or a `--name=value` argument.
                Durations take `ms`, `s`, `m`, `h` suffixes. Kafka client settings beyond the ones listed pass
                through the raw `producer`, `consumer` and `streams` maps as they are.

                This file is generated from the services' properties records and checked by
                `ConfigurationDocsTest`: change the record's javadoc, then run
                `mvn -pl launcher test -Dtest=ConfigurationDocsTest -Dvelocity.docs.update=true`.
                """);
        String section = null;
        for (Map.Entry<String, JsonNode> entry : settings.entrySet()) {
            String prefix = entry.getKey().split("\\.")[1];
            if (!prefix.equals(section)) {
                section = prefix;
                out.append("\n## ").append(prefix).append("\n\n| setting | default | what it does |\n|---|---|---|\n");
            }
            JsonNode property = entry.getValue();
            JsonNode defaultValue = property.path("defaultValue");
            out.append("| `").append(entry.getKey()).append("` | ")
                    .append(defaultValue.isMissingNode() || defaultValue.isNull() ? "" : "`" + text(defaultValue) + "`")
                    .append(" | ").append(cell(property.path("description").asString("")))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String text(JsonNode value) {
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asString()));
            return String.join(",", items);
        }
        return value.asString();
    }

    private static String cell(String description) {
        // one level of braces inside, as in {@code {machine}}
        return description.replaceAll("\\{@(?:code|link) ((?:[^{}]|\\{[^{}]*})*)}", "`$1`")
                .replace("\n", " ").replace("|", "\\|").replaceAll("\\s+", " ").trim();
    }
}
