package dev.velocitypreview.router.directory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import dev.velocitypreview.core.directory.SessionDirectory;

/**
 * Health contributor {@code sessionDirectory}: UP only once the directory has caught up with its topics,
 * so a router that would answer "not found" for sessions it has not loaded yet is not ready.
 */
@Component
class SessionDirectoryHealthIndicator implements HealthIndicator {

    private final SessionDirectory directory;

    SessionDirectoryHealthIndicator(SessionDirectory directory) {
        this.directory = directory;
    }

    @Override
    public Health health() {
        Health.Builder health = directory.isReady() ? Health.up() : Health.down().withDetail("reason", "still loading sessions");
        return health.withDetail("state", directory.state().name()).withDetail("heldRequests", directory.waiting()).build();
    }
}
