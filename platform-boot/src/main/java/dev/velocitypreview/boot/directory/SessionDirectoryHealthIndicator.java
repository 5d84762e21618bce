package dev.velocitypreview.boot.directory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.velocitypreview.core.directory.SessionDirectory;

/**
 * Health of a session directory, for the readiness group: UP once it has caught up with its topics;
 * until then OUT_OF_SERVICE, not DOWN. The instance is healthy and on its way, only not ready to answer
 * (it would say "not found" for sessions it has not loaded yet): readiness answers 503 either way, so a
 * load balancer or Kubernetes sends it no traffic, and OUT_OF_SERVICE says it is waiting, not broken.
 */
public final class SessionDirectoryHealthIndicator implements HealthIndicator {

    private final SessionDirectory directory;

    public SessionDirectoryHealthIndicator(SessionDirectory directory) {
        this.directory = directory;
    }

    @Override
    public Health health() {
        Health.Builder health = directory.isReady() ? Health.up()
                : Health.outOfService().withDetail("reason", "still loading sessions");
        return health.withDetail("state", directory.state().name()).withDetail("heldRequests", directory.waiting())
                .build();
    }
}
