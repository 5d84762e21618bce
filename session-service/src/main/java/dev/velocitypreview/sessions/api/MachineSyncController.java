package dev.velocitypreview.sessions.api;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import dev.velocitypreview.core.access.SessionSyncToken;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.EditResult;
import dev.velocitypreview.core.edits.FileState;
import dev.velocitypreview.core.edits.SessionEditReport;
import dev.velocitypreview.core.edits.SyncRequest;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.sessions.edits.ManifestDiff;
import dev.velocitypreview.sessions.edits.ProjectFileWaiters;
import dev.velocitypreview.sessions.edits.SessionEditPublisher;
import dev.velocitypreview.sessions.edits.SyncProperties;
import dev.velocitypreview.sessions.files.FilesNotConfiguredException;
import dev.velocitypreview.sessions.files.ProjectFileStore;
import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code POST /machine/v1/sessions/{id}/sync}: a preview machine's sync (docs/api.md). Its credential is the
 * session's {@link SessionSyncToken}, not a user's JWT. The answer is what differs between the machine's manifest and
 * the project as stored; when nothing does, the request is held (asynchronously: no thread waits) until a
 * {@code ProjectFileNotice} for the project arrives or the hold passes. The notice waiter is registered before each
 * read of the database, so a change committed after the read still wakes the sync.
 */
@RestController
class MachineSyncController {

    private static final Logger LOG = LoggerFactory.getLogger(MachineSyncController.class);
    private static final String BEARER = "bearer ";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final SyncProperties settings;
    private final SessionDirectory directory;
    private final SessionLookups lookups;
    private final ProjectFileStore store;
    private final ProjectFileWaiters waiters;
    private final SessionEditPublisher reports;
    private final SyncMetrics metrics;
    private final Executor executor;
    private final int maxBody;

    MachineSyncController(SyncProperties settings, SessionDirectory directory, SessionLookups lookups,
                          ProjectFileStore store, ProjectFileWaiters waiters, SessionEditPublisher reports,
                          SyncMetrics metrics, @Qualifier("applicationTaskExecutor") Executor executor) {
        this.settings = settings;
        this.directory = directory;
        this.lookups = lookups;
        this.store = store;
        this.waiters = waiters;
        this.reports = reports;
        this.metrics = metrics;
        this.executor = executor;
        this.maxBody = (int) settings.maxBody().toBytes();
    }

    @PostMapping("/machine/v1/sessions/{sessionId}/sync")
    DeferredResult<ResponseEntity<byte[]>> sync(@PathVariable("sessionId") String sessionId,
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) @Nullable String authorization,
            HttpServletRequest request) {
        try {
            SessionView session = authenticated(sessionId, authorization);
            SyncRequest sync;
            try {
                sync = EditCodec.decodeRequest(readBody(request));
            } catch (MalformedRecordException e) {
                throw ApiProblem.badRequest("malformed_sync", e.getMessage());
            }
            relay(session, sync.results());
            Held held = new Held(session.id(), session.projectId(), sync.files(),
                    new DeferredResult<>(settings.hold().toMillis()));
            held.result.onTimeout(() -> {
                if (held.result.setResult(answer(new SyncResponse(List.of(), List.of())))) {
                    metrics.synced("empty");
                }
            });
            held.result.onCompletion(held::cancel);
            held.result.onError(error -> held.cancel());
            answer(held);
            return held.result;
        } catch (ApiProblem e) {
            metrics.synced("refused");
            throw e;
        }
    }

    /** The session whose token was presented; the same 401 for a wrong token as for an unknown session. */
    private SessionView authenticated(String sessionId, @Nullable String authorization) {
        if (settings.secret() == null) {
            throw ApiProblem.unavailable("sync_not_configured", "live edits are not configured on this server "
                    + "(velocity.session-service.sync.secret)", Duration.ofSeconds(60), null);
        }
        UUID id = uuid(sessionId);
        String presented = authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? authorization.substring(BEARER.length()).trim() : null;
        if (id == null || presented == null || !SessionSyncToken.matches(settings.secret().value(), id, presented)) {
            throw invalidToken();
        }
        // a loading view knows no session yet: 503 (retried), not a 401 that would stop the machine's sync
        lookups.requireReady();
        // Only the provisioner mints a session's token, so a right token of a session this view does not know is a
        // machine that syncs before the changelog brought its row here: a claimed pooled machine syncs within
        // milliseconds of its STARTING row. 503 (retried), so its live edits do not stop for good; this tells nothing
        // to a caller without the secret, who cannot make a right token.
        SessionView session = directory.lookup(id).orElseThrow(() -> ApiProblem.unavailable("session_not_known_yet",
                "session " + id + " is not in this server's view of the sessions yet", Duration.ofSeconds(1), null));
        if (session.status().isTerminal()) {
            throw ApiProblem.of(HttpStatus.GONE, "session_ended", "session " + id + " is "
                    + session.status().name().toLowerCase(Locale.ROOT) + ": it syncs no more");
        }
        return session;
    }

    private void relay(SessionView session, List<EditResult> results) {
        for (EditResult result : results) {
            try {
                reports.publish(new SessionEditReport(session.id(), session.projectId(), result));
            } catch (SessionEditPublisher.ReportNotStoredException e) {
                throw ApiProblem.unavailable("sync_unavailable", "the edit results could not be stored: "
                        + e.getMessage(), RETRY_AFTER, e);
            }
            metrics.relayed(result.outcome().wire());
            LOG.atDebug().addKeyValue("session", session.id()).addKeyValue("project", session.projectId())
                    .addKeyValue("outcome", result.outcome().wire()).addKeyValue("written", result.written().size())
                    .log("edit result relayed");
        }
    }

    /** Reads the stored project, after registering for its next notice; answers or waits for that notice. */
    private void answer(Held held) {
        if (held.result.isSetOrExpired()) {
            return;
        }
        CompletableFuture<Void> notice = waiters.next(held.projectId);
        held.pending = notice;
        if (held.result.isSetOrExpired()) {
            notice.cancel(false);
            return;
        }
        SyncResponse diff;
        try {
            diff = ManifestDiff.between(store.list(held.projectId), paths -> store.files(held.projectId, paths),
                    held.files);
        } catch (FilesNotConfiguredException e) {
            fail(held, notice, ApiProblem.unavailable("sync_not_configured", "live edits are not configured on this "
                    + "server (velocity.session-service.files.datasource.*)", Duration.ofSeconds(60), e));
            return;
        } catch (DataAccessException e) {
            fail(held, notice, ApiProblem.unavailable("sync_unavailable", "project files cannot be read right now",
                    RETRY_AFTER, e));
            return;
        }
        if (!diff.isEmpty()) {
            notice.cancel(false);
            if (held.result.setResult(answer(diff))) {
                metrics.synced(held.waited ? "woken" : "changes");
                LOG.atDebug().addKeyValue("session", held.sessionId).addKeyValue("project", held.projectId)
                        .addKeyValue("files", diff.files().size()).addKeyValue("deleted", diff.deleted().size())
                        .log("sync answered");
            }
            return;
        }
        held.waited = true;
        // the read runs on the task executor, never on the Kafka listener's thread that completed the notice
        notice.thenRunAsync(() -> answer(held), executor);
    }

    private void fail(Held held, CompletableFuture<Void> notice, ApiProblem problem) {
        notice.cancel(false);
        if (held.result.setErrorResult(problem)) {
            metrics.synced("refused");
        }
    }

    private static ResponseEntity<byte[]> answer(SyncResponse response) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(EditCodec.encodeResponse(response));
    }

    private byte[] readBody(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        byte[] body = null;
        if (length <= maxBody) {
            try {
                body = request.getInputStream().readNBytes(maxBody + 1);
            } catch (IOException e) {
                throw ApiProblem.badRequest("unreadable_body", "request body could not be read: " + e.getMessage());
            }
        }
        if (body == null || body.length > maxBody) {
            throw ApiProblem.of(HttpStatus.CONTENT_TOO_LARGE, "sync_too_large", "a sync body must be at most " + maxBody
                    + " bytes (velocity.session-service.sync.max-body)");
        }
        return body;
    }

    private static ApiProblem invalidToken() {
        ApiProblem problem = ApiProblem.of(HttpStatus.UNAUTHORIZED, "invalid_sync_token",
                "a sync needs its session's sync token as a bearer token");
        problem.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        return problem;
    }

    private static @Nullable UUID uuid(String id) {
        try {
            UUID parsed = UUID.fromString(id);
            return parsed.toString().equalsIgnoreCase(id) ? parsed : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** One sync in progress: the machine's manifest and its answer to come. */
    private static final class Held {
        final UUID sessionId;
        final UUID projectId;
        final List<FileState> files;
        final DeferredResult<ResponseEntity<byte[]>> result;
        volatile boolean waited;
        volatile @Nullable CompletableFuture<Void> pending;

        Held(UUID sessionId, UUID projectId, List<FileState> files, DeferredResult<ResponseEntity<byte[]>> result) {
            this.sessionId = sessionId;
            this.projectId = projectId;
            this.files = files;
            this.result = result;
        }

        void cancel() {
            CompletableFuture<Void> waiting = pending;
            if (waiting != null) {
                waiting.cancel(false);
            }
        }
    }
}
