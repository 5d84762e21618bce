package dev.velocitypreview.sessions.directory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.velocitypreview.core.directory.SessionDirectory;

/**
 * UP once the view has caught up with its topics; until then OUT_OF_SERVICE, which takes the
 * instance out of readiness (reads would answer 503).
 */
final class SessionDirectoryHealthIndicator implements HealthIndicator {

    private final SessionDirectory directory;

    SessionDirectoryHealthIndicator(SessionDirectory directory) {
        this.directory = directory;
    }

    @Override
    public Health health() {
        Health.Builder health = directory.isReady() ? Health.up() : Health.outOfService();
        return health.withDetail("state", directory.state().name()).build();
    }
}
