package dev.velocitypreview.testkit;

import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Decides how tests get their Kafka and PostgreSQL: containers when a Docker engine answers,
 * in-process otherwise. {@code VELOCITY_TEST_INFRA=embedded|containers} (or the system property
 * {@code velocity.test.infra}) forces one.
 */
enum Infrastructure {
    EMBEDDED, CONTAINERS;

    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);
    private static volatile Infrastructure chosen;

    static Infrastructure chosen() {
        if (chosen == null) {
            synchronized (Infrastructure.class) {
                if (chosen == null) {
                    chosen = choose();
                    LOG.atInfo().addKeyValue("infrastructure", chosen.name().toLowerCase(Locale.ROOT))
                            .log("test infrastructure chosen");
                }
            }
        }
        return chosen;
    }

    private static Infrastructure choose() {
        String forced = System.getProperty("velocity.test.infra", System.getenv("VELOCITY_TEST_INFRA"));
        if (forced != null && !forced.isBlank()) {
            return switch (forced.trim().toLowerCase(Locale.ROOT)) {
                case "embedded" -> EMBEDDED;
                case "containers" -> CONTAINERS;
                default -> throw new IllegalArgumentException(
                        "VELOCITY_TEST_INFRA must be 'embedded' or 'containers', got '" + forced + "'");
            };
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable() ? CONTAINERS : EMBEDDED;
        } catch (RuntimeException e) {
            return EMBEDDED;
        }
    }
}
