package dev.velocitypreview.sessions.api;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.velocitypreview.core.cleanup.CleanupReport;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.api.SessionStatistics.Statistics;
import dev.velocitypreview.sessions.cleanup.CleanupIncompleteException;
import dev.velocitypreview.sessions.cleanup.CleanupNotDeployedException;
import dev.velocitypreview.sessions.cleanup.CleanupPass;
import dev.velocitypreview.sessions.cleanup.CleanupUnavailableException;
import dev.velocitypreview.sessions.identity.Caller;

/**
 * {@code GET /v1/admin/statistics} and {@code POST /v1/admin/cleanup}, for callers with the admin role (the
 * security layer refuses everyone else with 403 before a handler runs).
 */
@RestController
@RequestMapping("/v1/admin")
class AdminOperationsController {

    private static final Logger LOG = LoggerFactory.getLogger(AdminOperationsController.class);
    /** A missing cleanup service is not back in a second. */
    private static final Duration NOT_DEPLOYED_RETRY = Duration.ofSeconds(60);

    private final SessionLookups lookups;
    private final SessionStatistics statistics;
    private final CleanupPass cleanup;
    private final Duration cleanupTimeout;

    AdminOperationsController(SessionLookups lookups, SessionStatistics statistics, CleanupPass cleanup,
                              SessionServiceProperties properties) {
        this.lookups = lookups;
        this.statistics = statistics;
        this.cleanup = cleanup;
        this.cleanupTimeout = properties.cleanupTimeout();
    }

    /** From this API's own view, never the database; at most a second old. */
    @GetMapping("/statistics")
    Statistics statistics() {
        lookups.requireReady();
        return statistics.current();
    }

    /**
     * What one cleanup pass over every partition did, added up.
     *
     * @param partitions how many partitions of {@code preview.cleanup-requests} were asked, and answered
     * @param completedAt when the last partition's pass completed
     */
    record CleanupOutcome(long expired, long suspended, long terminatedIdle, long orphansDestroyed, long lostFailed,
                          long purged, long errors, int partitions, Instant completedAt) {
    }

    /** Runs a cleanup pass now; blocks its thread for at most {@code cleanup-timeout}. */
    @PostMapping("/cleanup")
    CleanupOutcome cleanup(@AuthenticationPrincipal Caller admin) {
        LOG.atInfo().addKeyValue("admin", admin.userId()).log("cleanup pass requested by an admin");
        CleanupReport report;
        try {
            report = cleanup.run();
        } catch (CleanupNotDeployedException e) {
            throw ApiProblem.unavailable("cleanup_not_deployed", "the cleanup service is not deployed: topic " + e.topic()
                    + " does not exist (cleanup creates its topics when it starts)", NOT_DEPLOYED_RETRY, e)
                    .with("topic", e.topic());
        } catch (CleanupUnavailableException e) {
            throw ApiProblem.unavailable("cleanup_unavailable", "the cleanup pass could not be requested: " + e.getMessage(),
                    SessionLookups.RETRY_AFTER, e);
        } catch (CleanupIncompleteException e) {
            throw ApiProblem.gatewayTimeout("cleanup_incomplete", e.answered() + " of " + e.partitions() + " partitions of "
                    + Topics.CLEANUP_REQUESTS.name() + " reported within " + cleanupTimeout + "; the cleanup instances of the "
                    + "others may be down or still busy, and may have done their pass all the same")
                    .with("answered", e.answered()).with("partitions", e.partitions());
        }
        return new CleanupOutcome(report.expired(), report.suspended(), report.terminatedIdle(), report.orphansDestroyed(),
                report.lostFailed(), report.purged(), report.errors(), report.partitions(), report.completedAt());
    }
}
