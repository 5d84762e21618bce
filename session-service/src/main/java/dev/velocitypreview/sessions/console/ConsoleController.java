package dev.velocitypreview.sessions.console;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.sessions.api.SessionStatistics;
import dev.velocitypreview.sessions.identity.Caller;
import dev.velocitypreview.sessions.identity.ConsoleCookie;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The operator console: its page, its sign-in and the snapshot the page polls. The security layer lets admins
 * alone reach these handlers (see {@code ConsoleSecurityConfiguration}).
 */
@RestController
class ConsoleController {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleController.class);
    private static final Resource PAGE = new ClassPathResource("console/console.html");

    private final SessionDirectory directory;
    private final SessionStatistics statistics;
    private final MetricsSources metrics;
    private final Clock clock;

    ConsoleController(SessionDirectory directory, SessionStatistics statistics, MetricsSources metrics, Clock clock) {
        this.directory = directory;
        this.statistics = statistics;
        this.metrics = metrics;
        this.clock = clock;
    }

    @GetMapping({"/console", "/console/"})
    ResponseEntity<Resource> page() {
        return ResponseEntity.ok().contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .body(PAGE);
    }

    /**
     * The token has been verified as an admin's by the security layer (it reads this parameter here alone); it
     * moves into the cookie, and a redirect takes it out of the address bar and the history.
     */
    @GetMapping("/console/sign-in")
    ResponseEntity<Void> signIn(@RequestParam("token") String token, @AuthenticationPrincipal Caller admin,
                                HttpServletRequest request) {
        LOG.atInfo().addKeyValue("admin", admin.userId()).log("operator signed in to the console");
        return ResponseEntity.status(HttpStatus.SEE_OTHER)
                .header(HttpHeaders.SET_COOKIE, ConsoleCookie.holding(token.strip(), request.isSecure()).toString())
                .header(HttpHeaders.LOCATION, request.getContextPath() + ConsoleCookie.PATH)
                .build();
    }

    /** Everything the page shows; the view's figures from the scan {@code GET /v1/admin/statistics} uses. */
    @GetMapping(path = "/console/data", produces = MediaType.APPLICATION_JSON_VALUE)
    ConsoleSnapshot data() {
        List<MetricsScrape> scrapes = metrics.scrape();
        if (!directory.isReady()) {
            return ConsoleFigures.snapshot(clock.instant(), null, null, scrapes);
        }
        List<SessionView> sessions = directory.find(view -> true);
        return ConsoleFigures.snapshot(clock.instant(), statistics.current().sessionsByStatus(), sessions, scrapes);
    }
}
