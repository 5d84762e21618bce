package dev.velocitypreview.sessions.api;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.edits.EditResult;
import dev.velocitypreview.core.edits.SessionEditReport;
import dev.velocitypreview.core.files.FileChange;
import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import dev.velocitypreview.core.files.FileRefusal;
import dev.velocitypreview.core.files.FileRefusedException;
import dev.velocitypreview.core.files.FileRules;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.api.FileResponses.Batch;
import dev.velocitypreview.sessions.api.FileResponses.BatchFile;
import dev.velocitypreview.sessions.api.FileResponses.Deleted;
import dev.velocitypreview.sessions.api.FileResponses.Entry;
import dev.velocitypreview.sessions.api.FileResponses.Listing;
import dev.velocitypreview.sessions.api.FileResponses.Pending;
import dev.velocitypreview.sessions.api.FileResponses.Preview;
import dev.velocitypreview.sessions.api.FileResponses.Written;
import dev.velocitypreview.sessions.files.FileCommandNotStoredException;
import dev.velocitypreview.sessions.files.FileCommandSender;
import dev.velocitypreview.sessions.files.FilesNotConfiguredException;
import dev.velocitypreview.sessions.files.FilesProperties;
import dev.velocitypreview.sessions.edits.SessionEditReports;
import dev.velocitypreview.sessions.files.ProjectFileStore;
import dev.velocitypreview.sessions.identity.Caller;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code /v1/projects/{id}/files}: the caller's own project files. Writes are {@link FileCommand}s answered 200 only
 * with the provisioner's outcome (the write is durable), 202 when it did not answer in time (the command is stored
 * and will be applied); reads come from {@code project_files}. Another user's project answers as an unknown one
 * (404 {@code project_not_found}), so project ids cannot be probed. The path is the rest of the URL, percent-decoded
 * once and then checked by {@link FileRules}, as the provisioner checks it again. With {@code ?wait=applied} a write
 * answered 200 also says what each of the caller's running previews of the project made of it (docs/api.md).
 */
@RestController
@RequestMapping("/v1/projects")
class ProjectFileController {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectFileController.class);
    private static final String PROJECTS = "/v1/projects/";
    private static final String FILES = "/files/";

    private final ProjectFileStore store;
    private final FileCommandSender sender;
    private final FileRules rules = FileRules.DEFAULTS;
    private final FileMetrics metrics;
    private final Clock clock;
    private final URI publicBaseUrl;
    private final int maxBatchBody;
    private final SessionDirectory directory;
    private final SessionEditReports reports;
    private final Duration applyTimeout;

    ProjectFileController(ProjectFileStore store, FileCommandSender sender, FileMetrics metrics, Clock clock,
                          SessionServiceProperties properties, FilesProperties files, SessionDirectory directory,
                          SessionEditReports reports) {
        this.store = store;
        this.directory = directory;
        this.reports = reports;
        this.applyTimeout = files.applyTimeout();
        this.sender = sender;
        this.metrics = metrics;
        this.clock = clock;
        this.publicBaseUrl = properties.publicBaseUrl();
        this.maxBatchBody = (int) files.maxBatchBody().toBytes();
    }

    @PutMapping("/{id}/files/**")
    ResponseEntity<?> put(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                          @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) @Nullable String ifMatch,
                          @RequestParam(name = "wait", required = false) @Nullable String wait,
                          HttpServletRequest request) {
        Timer.Sample sample = metrics.start();
        return measured(sample, () -> {
            UUID projectId = projectId(id);
            String path = filePath(request);
            Long expected = FileVersions.ifMatch(ifMatch);
            checked(() -> rules.checkPath(path));
            requireOwner(caller, projectId);
            boolean waitApplied = waitApplied(wait);
            String content = checked(() -> rules.checkContent(path, readBody(request, path)));
            return write(sample, caller, projectId, List.of(new FileChange.Put(path, content, expected)), fileUrl(projectId, path),
                    waitApplied, (applied, previews) -> {
                        FileOutcome.FileResult file = applied.files().get(0);
                        return ResponseEntity.ok().eTag(FileVersions.etag(file.version()))
                                .body(new Written(file.path(), file.version(), file.size(), file.sha256(), previews));
                    });
        });
    }

    @DeleteMapping("/{id}/files/**")
    ResponseEntity<?> delete(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                             @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) @Nullable String ifMatch,
                             @RequestParam(name = "wait", required = false) @Nullable String wait,
                             HttpServletRequest request) {
        Timer.Sample sample = metrics.start();
        return measured(sample, () -> {
            UUID projectId = projectId(id);
            String path = filePath(request);
            Long expected = FileVersions.ifMatch(ifMatch);
            checked(() -> rules.checkPath(path));
            boolean waitApplied = waitApplied(wait);
            requireOwner(caller, projectId);
            return write(sample, caller, projectId, List.of(new FileChange.Delete(path, expected)), fileUrl(projectId, path),
                    waitApplied, (applied, previews) -> {
                        FileOutcome.FileResult file = applied.files().get(0);
                        return ResponseEntity.ok(new Deleted(file.path(), file.version(), true, previews));
                    });
        });
    }

    /** All or nothing: every change is applied in one transaction, or none is. */
    @PostMapping(path = "/{id}/files:batch", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> batch(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                            @RequestParam(name = "wait", required = false) @Nullable String wait,
                            HttpServletRequest request) {
        Timer.Sample sample = metrics.start();
        return measured(sample, () -> {
            UUID projectId = projectId(id);
            boolean waitApplied = waitApplied(wait);
            List<FileChange> changes = BatchFileRequest.parse(readBatch(request));
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (FileChange change : changes) {
                checked(() -> rules.checkPath(change.path()));
                if (!seen.add(change.path())) {
                    throw ApiProblem.badRequest(FileRefusal.DUPLICATE_PATH, "path " + change.path()
                            + " appears more than once in the batch").with("path", change.path());
                }
                if (change instanceof FileChange.Put put) {
                    checked(() -> rules.checkContent(put.path(), put.content()));
                }
            }
            requireOwner(caller, projectId);
            return write(sample, caller, projectId, changes, filesUrl(projectId), waitApplied,
                    (applied, previews) -> ResponseEntity.ok(new Batch(applied.files().stream()
                            .map(file -> new BatchFile(file.path(), file.version(), file.size(), file.sha256(),
                                    file.deleted())).toList(), previews)));
        });
    }

    @GetMapping("/{id}/files")
    Listing list(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id) {
        UUID projectId = projectId(id);
        requireOwner(caller, projectId);
        return new Listing(read(() -> store.list(projectId)).stream()
                .map(entry -> new Entry(entry.path(), entry.version(), entry.size(), entry.updatedAt())).toList());
    }

    @GetMapping("/{id}/files/**")
    ResponseEntity<byte[]> get(@AuthenticationPrincipal Caller caller, @PathVariable("id") String id,
                               @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) @Nullable String ifNoneMatch,
                               HttpServletRequest request) {
        UUID projectId = projectId(id);
        String path = filePath(request);
        checked(() -> rules.checkPath(path));
        requireOwner(caller, projectId);
        ProjectFileStore.StoredFile file = read(() -> store.file(projectId, path)).orElseThrow(() -> ApiProblem.of(
                HttpStatus.NOT_FOUND, FileRefusal.FILE_NOT_FOUND, "project " + projectId + " has no file " + path)
                .with("path", path));
        String etag = FileVersions.etag(file.version());
        if (FileVersions.noneMatch(ifNoneMatch, file.version())) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        return ResponseEntity.ok().eTag(etag)
                .header(HttpHeaders.CONTENT_TYPE, FileContentTypes.of(path))
                // a project's HTML is data here, never a page of the API's origin
                .header("Content-Security-Policy", "sandbox")
                .body(file.content().getBytes(StandardCharsets.UTF_8));
    }

    private ResponseEntity<?> write(Timer.Sample sample, Caller caller, UUID projectId, List<FileChange> changes,
                                    URI location, boolean waitApplied,
                                    BiFunction<FileOutcome.Applied, @Nullable List<Preview>, ResponseEntity<?>> answer) {
        // watched before the command is published, so that a preview's report that beats the provisioner's answer counts
        List<SessionEditReports.Watch> watches = waitApplied ? watchPreviews(caller, projectId) : List.of();
        try {
            return write(sample, caller, projectId, changes, location, outcome -> answer.apply(outcome,
                    waitApplied ? previews(watches, outcome) : null));
        } finally {
            watches.forEach(SessionEditReports.Watch::close);
        }
    }

    private ResponseEntity<?> write(Timer.Sample sample, Caller caller, UUID projectId, List<FileChange> changes,
                                    URI location, Function<FileOutcome.Applied, ResponseEntity<?>> answer) {
        FileCommand command = new FileCommand.Write(UUID.randomUUID(), projectId, caller.userId(), changes, clock.instant());
        Optional<FileOutcome> outcome;
        try {
            outcome = sender.send(command);
        } catch (FileCommandNotStoredException e) {
            throw ApiProblem.unavailable("files_unavailable", "the write could not be stored, nothing was accepted: "
                    + e.getMessage(), java.time.Duration.ofSeconds(5), e);
        }
        if (outcome.isEmpty()) {
            LOG.atInfo().addKeyValue("command", command.commandId()).addKeyValue("project", projectId)
                    .addKeyValue("user", caller.userId()).addKeyValue("changes", changes.size())
                    .log("file write stored, not answered in time: 202");
            metrics.written(sample, "pending");
            return ResponseEntity.accepted().location(location)
                    .body(new Pending(command.commandId(), "pending", location));
        }
        if (outcome.get() instanceof FileOutcome.Refused refused) {
            throw problem(refused.refusal());
        }
        LOG.atInfo().addKeyValue("command", command.commandId()).addKeyValue("project", projectId)
                .addKeyValue("user", caller.userId()).addKeyValue("changes", changes.size()).log("files written");
        metrics.written(sample, "applied");
        return answer.apply((FileOutcome.Applied) outcome.get());
    }

    /** {@code ?wait=applied}: the only value {@code wait} takes. */
    private static boolean waitApplied(@Nullable String wait) {
        if (wait == null) {
            return false;
        }
        if (!"applied".equals(wait)) {
            throw ApiProblem.badRequest("invalid_wait", "wait must be applied, got " + wait).field("wait");
        }
        return true;
    }

    /** The caller's previews of this project that are running: those that will sync the write. */
    private List<SessionEditReports.Watch> watchPreviews(Caller caller, UUID projectId) {
        return directory.findOf(caller.userId(), view -> projectId.equals(view.projectId())
                        && view.status() == SessionStatus.ACTIVE).stream()
                .map(view -> reports.watch(view.id())).toList();
    }

    /** Waits, at most the apply timeout in all, for each watched preview to report the write applied. */
    private List<Preview> previews(List<SessionEditReports.Watch> watches, FileOutcome.Applied applied) {
        Map<String, Long> puts = new HashMap<>();
        List<String> deletes = new ArrayList<>();
        for (FileOutcome.FileResult file : applied.files()) {
            if (file.deleted()) {
                deletes.add(file.path());
            } else {
                puts.put(file.path(), file.version());
            }
        }
        long deadline = System.nanoTime() + applyTimeout.toNanos();
        List<Preview> previews = new ArrayList<>();
        for (SessionEditReports.Watch watch : watches) {
            CompletableFuture<SessionEditReport> reported = watch.until(puts, deletes);
            Preview preview;
            try {
                EditResult result = reported.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).result();
                preview = new Preview(watch.sessionId(), result.outcome().wire(),
                        SessionResponses.CompileFailure.of(result.error()));
            } catch (TimeoutException e) {
                preview = new Preview(watch.sessionId(), "timeout", null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                preview = new Preview(watch.sessionId(), "timeout", null);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a report watch never fails", e);
            }
            LOG.atInfo().addKeyValue("session", watch.sessionId()).addKeyValue("command", applied.commandId())
                    .addKeyValue("outcome", preview.outcome()).log("write applied in preview");
            previews.add(preview);
        }
        return previews;
    }

    /** Counts a refusal (or an unavailable store) as the write's outcome; applied and pending count themselves. */
    private ResponseEntity<?> measured(Timer.Sample sample, java.util.function.Supplier<ResponseEntity<?>> write) {
        try {
            return write.get();
        } catch (ApiProblem e) {
            metrics.written(sample, e.getStatusCode().is5xxServerError() ? "failed" : "refused");
            throw e;
        }
    }

    private void requireOwner(Caller caller, UUID projectId) {
        if (!read(() -> store.owns(projectId, caller.userId()))) {
            throw projectNotFound(projectId);
        }
    }

    private static <T> T read(java.util.function.Supplier<T> query) {
        try {
            return query.get();
        } catch (FilesNotConfiguredException e) {
            throw ApiProblem.unavailable("files_not_configured", "the files API is not configured on this server "
                    + "(velocity.session-service.files.datasource.*)", java.time.Duration.ofSeconds(60), e);
        } catch (DataAccessException e) {
            throw ApiProblem.unavailable("files_unavailable", "project files cannot be read right now",
                    java.time.Duration.ofSeconds(5), e);
        }
    }

    private static <T> T checked(java.util.function.Supplier<T> rule) {
        try {
            return rule.get();
        } catch (FileRefusedException e) {
            throw problem(e.refusal());
        }
    }

    private static void checked(Runnable rule) {
        checked(() -> {
            rule.run();
            return null;
        });
    }

    private static ApiProblem problem(FileRefusal refusal) {
        ApiProblem problem = ApiProblem.of(HttpStatus.valueOf(refusal.status()), refusal.code(), refusal.detail());
        if (refusal.path() != null) {
            problem.with("path", refusal.path());
        }
        if (FileRefusal.STALE_VERSION.equals(refusal.code())) {
            problem.with("currentVersion", refusal.currentVersion());
        }
        return problem;
    }

    private static ApiProblem projectNotFound(UUID projectId) {
        return ApiProblem.of(HttpStatus.NOT_FOUND, FileRefusal.PROJECT_NOT_FOUND, "no project " + projectId + " of yours");
    }

    private static UUID projectId(String id) {
        try {
            UUID parsed = UUID.fromString(id);
            if (parsed.toString().equalsIgnoreCase(id)) {
                return parsed;
            }
        } catch (IllegalArgumentException e) {
            // answered as an unknown project below
        }
        throw ApiProblem.of(HttpStatus.NOT_FOUND, FileRefusal.PROJECT_NOT_FOUND, "no project " + id
                + " of yours (project ids are UUIDs)");
    }

    /** The rest of the URL after {@code /files/}, percent-decoded once. */
    private static String filePath(HttpServletRequest request) {
        String uri = request.getRequestURI().substring(request.getContextPath().length());
        int idEnd = uri.indexOf('/', PROJECTS.length());
        String raw = uri.substring(idEnd + FILES.length());
        try {
            return UriUtils.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("invalid_path_encoding", "the file path in the URL is not valid percent-encoding");
        }
    }

    private byte[] readBody(HttpServletRequest request, String path) {
        int max = rules.maxFileBytes();
        long length = request.getContentLengthLong();
        byte[] body = length > max ? null : read(request, max);
        if (body == null || body.length > max) {
            throw problem(new FileRefusal(FileRefusal.FILE_TOO_LARGE, 413, "file " + path + " is "
                    + (length > max ? length + " bytes" : "larger than " + max + " bytes") + ", the limit is " + max
                    + " bytes", path, null));
        }
        return body;
    }

    private byte[] readBatch(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        byte[] body = length > maxBatchBody ? null : read(request, maxBatchBody);
        if (body == null || body.length > maxBatchBody) {
            throw ApiProblem.tooLarge("a batch body must be at most " + maxBatchBody + " bytes "
                    + "(velocity.session-service.files.max-batch-body)");
        }
        return body;
    }

    /** At most one byte past {@code max}: enough to tell an oversized body sent without a length from one that fits. */
    private static byte[] read(HttpServletRequest request, int max) {
        try {
            return request.getInputStream().readNBytes(max + 1);
        } catch (IOException e) {
            throw ApiProblem.badRequest("unreadable_body", "request body could not be read: " + e.getMessage());
        }
    }

    private URI fileUrl(UUID projectId, String path) {
        return URI.create(publicBaseUrl.toString().replaceAll("/+$", "") + PROJECTS + projectId + FILES
                + UriUtils.encodePath(path, StandardCharsets.UTF_8));
    }

    private URI filesUrl(UUID projectId) {
        return URI.create(publicBaseUrl.toString().replaceAll("/+$", "") + PROJECTS + projectId + "/files");
    }
}
