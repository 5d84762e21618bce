package dev.velocitypreview.router;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 2: the router never queries PostgreSQL, so what it ships with has no JDBC driver, no Flyway and
 * no spring-jdbc. Reads the runtime classpath Maven resolved for this module (test-only dependencies, such as
 * the test kit's PostgreSQL, are not part of it).
 */
class NoJdbcOnClasspathTest {

    private static final Pattern FORBIDDEN_ARTIFACT = Pattern.compile(
            "(postgresql|spring-jdbc|spring-boot-jdbc|spring-boot-starter-jdbc|spring-boot-starter-data-jdbc|flyway-.*"
                    + "|HikariCP|r2dbc-.*|debezium-.*)-\\d.*\\.jar");

    @Test
    void runtimeClasspathHasNoJdbcDriverFlywayOrJdbcStarter() throws IOException {
        List<Path> classpath = runtimeClasspath();

        assertThat(classpath).as("runtime classpath is the router's, not empty")
                .anyMatch(entry -> entry.getFileName().toString().startsWith("platform-core-"))
                .anyMatch(entry -> entry.getFileName().toString().startsWith("spring-webflux-"));
        assertThat(classpath).as("no JDBC, Flyway or database artifact")
                .noneMatch(entry -> FORBIDDEN_ARTIFACT.matcher(entry.getFileName().toString()).matches());
        for (Path jar : classpath) {
            if (!jar.toString().endsWith(".jar")) {
                continue;
            }
            try (JarFile file = new JarFile(jar.toFile())) {
                assertThat(file.getEntry("META-INF/services/java.sql.Driver"))
                        .as("%s registers a java.sql.Driver", jar.getFileName()).isNull();
                assertThat(file.getEntry("org/postgresql/Driver.class"))
                        .as("%s contains org.postgresql.Driver", jar.getFileName()).isNull();
            }
        }
    }

    private static List<Path> runtimeClasspath() throws IOException {
        String file = System.getProperty("router.runtime-classpath");
        assertThat(file).as("system property router.runtime-classpath (set by the module's surefire configuration)")
                .isNotBlank();
        String content = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
        return Arrays.stream(content.split(Pattern.quote(File.pathSeparator)))
                .filter(entry -> !entry.isBlank())
                .map(Path::of)
                .toList();
    }
}
