package dev.velocitypreview.sessions.api;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.UserId;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.edits.SessionEditReports;
import dev.velocitypreview.sessions.api.SessionResponses.Session;
import dev.velocitypreview.sessions.api.SessionResponses.Sessions;
import dev.velocitypreview.sessions.identity.Caller;

/**
 * {@code /v1/admin/sessions}: every user's sessions, for callers with the admin role (the security
 * layer refuses everyone else with 403 before a handler runs). Admins get no preview tokens.
 */
@RestController
@RequestMapping("/v1/admin/sessions")
class AdminSessionController {

    private static final Logger LOG = LoggerFactory.getLogger(AdminSessionController.class);

    private final CommandSender sender;
    private final SessionLookups lookups;
    private final Clock clock;
    private final SessionLinks links;
    private final SessionEditReports reports;

    AdminSessionController(CommandSender sender, SessionLookups lookups, SessionServiceProperties properties,
            Clock clock, SessionEditReports reports) {
        this.sender = sender;
        this.reports = reports;
        this.lookups = lookups;
        this.clock = clock;
        this.links = SessionLinks.of(properties);
    }

    @GetMapping
    Sessions list(
            @RequestParam(name = "status", required = false) @Nullable String status,
            @RequestParam(name = "user", required = false) @Nullable String user,
            @RequestParam(name = "limit", required = false) @Nullable String limit) {
        SessionStatus wanted = SessionLookups.status(status);
        if (user != null && !UserId.isValid(user)) {
            throw ApiProblem.badRequest("invalid_user", "user must be a user id: 1-128 characters of "
                    + "A-Z a-z 0-9 . _ : @ | + -, got " + SessionId.quote(user)).field("user");
        }
        int max = SessionLookups.limit(limit);
        List<Session> sessions = lookups
                .list(user, view -> wanted == null || view.status() == wanted, max)
                .stream().map(view -> Session.of(view, links, null, reports)).toList();
        return new Sessions(sessions);
    }

    /** Terminates anyone's session with reason {@code admin}; the command names the session's owner. */
    @DeleteMapping("/{id}")
    ResponseEntity<Session> terminate(@AuthenticationPrincipal Caller admin, @PathVariable("id") String id) {
        UUID sessionId = SessionLookups.sessionId(id);
        SessionView view = lookups.findNow(sessionId, any -> true);
        if (view.status().isTerminal()) {
            LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("status", view.status())
                    .addKeyValue("admin", admin.userId())
                    .log("admin termination requested for a session that already ended, nothing to do");
        } else {
            sender.send(SessionCommand.terminate(sessionId, view.userId(), TerminationReason.ADMIN, clock.instant()));
            LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("user", view.userId())
                    .addKeyValue("admin", admin.userId()).log("session termination requested by an admin");
        }
        return ResponseEntity.accepted().location(links.statusUrl(sessionId)).body(Session.of(view, links, null, reports));
    }
}
