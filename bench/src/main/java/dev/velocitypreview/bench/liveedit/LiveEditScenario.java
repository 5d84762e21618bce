package dev.velocitypreview.bench.liveedit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.velocitypreview.bench.rig.PlatformRig;
import dev.velocitypreview.bench.rig.SessionApi;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;
import dev.velocitypreview.testkit.HeadlessChromium;

/**
 * Scenario 10: a react session's first byte with cold dependencies (the platform's store has none yet: {@code npm
 * ci} runs, from npm's own cache) and with prepared ones (a second project of the same lockfile), then writes of the
 * main component through the files API while the page is open in Chromium: write → the file in the machine's
 * project, write → the {@code ?wait=applied} answer, write → the new text in the page (HMR, no reload).
 */
public final class LiveEditScenario {

    /**
     * @param preparedSessions react sessions after the cold one, each of a new project
     * @param writes           writes of {@code src/App.jsx}, one after the other
     */
    public record Settings(int preparedSessions, int writes) {
    }

    private static final Template REACT = TemplateCatalog.builtIn().named("react").orElseThrow();
    private static final String HEADING_TEXT = "Hello from React";
    /** Records, per edit number, when the page's heading first showed it (the page's clock is this machine's). */
    private static final String OBSERVER = """
            window.velocityEdits = {};
            new MutationObserver(() => {
              const m = (document.querySelector('h1')?.textContent || '').match(/edit-(\\d+)/);
              if (m && !(m[1] in window.velocityEdits)) window.velocityEdits[m[1]] = Date.now();
            }).observe(document.body, {subtree: true, childList: true, characterData: true});
            """;

    private final PlatformRig rig;

    public LiveEditScenario(PlatformRig rig) {
        this.rig = rig;
    }

    public LiveEditResult run(Settings settings) throws Exception {
        System.out.printf("bench: live edits, a cold react session, %d prepared, %d writes%n",
                settings.preparedSessions(), settings.writes());
        long started = System.nanoTime();
        String user = "bench-live-edits";
        String token = rig.token(user);
        SessionApi api = rig.api();

        UUID editedProject = UUID.randomUUID();
        Started cold = start(api, token, editedProject);
        List<Double> prepared = new ArrayList<>();
        for (int i = 0; i < settings.preparedSessions(); i++) {
            Started session = start(api, token, UUID.randomUUID());
            prepared.add(session.firstByteMs());
            api.terminate(token, session.accepted().statusUrl());
        }

        SessionView view = rig.directory().sessions().await(cold.accepted().sessionId(),
                v -> v.machineId() != null, Duration.ofMinutes(1)).join();
        Path machineFile = rig.machineWorkDir(view.machineId()).resolve(REACT.mainFile());
        String original = Files.readString(machineFile);
        List<LiveEditResult.Edit> edits = new ArrayList<>();
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(cold.preview().toString());
            browser.awaitText("button", "count is 0", Duration.ofSeconds(60));
            browser.script(OBSERVER);
            for (int i = 1; i <= settings.writes(); i++) {
                String marker = "edit-" + i;
                String content = original.replace(HEADING_TEXT, "Hello " + marker);
                CompletableFuture<Long> onDisk = CompletableFuture.supplyAsync(() -> awaitContent(machineFile, marker));
                long sent = System.currentTimeMillis();
                HttpResponse<String> answer = api.writeAndWait(token, editedProject, REACT.mainFile(), content);
                long answered = System.currentTimeMillis();
                long written = onDisk.get(30, TimeUnit.SECONDS);
                long shown = awaitShown(browser, i);
                boolean applied = answer.statusCode() == 200 && answer.body().contains("\"outcome\":\"applied\"");
                edits.add(new LiveEditResult.Edit(applied, written - sent, answered - sent,
                        shown < 0 ? Double.NaN : shown - sent));
            }
        }
        api.terminate(token, cold.accepted().statusUrl());
        return new LiveEditResult(settings, cold.firstByteMs(), prepared, edits,
                Duration.ofNanos(System.nanoTime() - started));
    }

    private record Started(SessionApi.Accepted accepted, URI preview, double firstByteMs) {
    }

    /** POST, then the host-style preview asked for at once: the router holds it until the dev server is ready. */
    private Started start(SessionApi api, String token, UUID project) throws IOException, InterruptedException {
        long posted = System.nanoTime();
        SessionApi.Accepted accepted = api.create(token, project);
        URI preview = rig.hostStylePreview(accepted.sessionId());
        HttpResponse<String> page = rig.previews().send(HttpRequest.newBuilder(preview).timeout(rig.machineWait())
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        if (page.statusCode() != 200) {
            throw new IllegalStateException("preview " + preview + " answered " + page.statusCode() + ": " + page.body());
        }
        return new Started(accepted, preview, (System.nanoTime() - posted) / 1e6);
    }

    /** When the machine's copy of the file first held {@code marker}, polled every millisecond. */
    private static long awaitContent(Path file, String marker) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (Files.readString(file).contains(marker)) {
                    return System.currentTimeMillis();
                }
            } catch (NoSuchFileException e) {
                // between the runtime's rename and the next poll: not there yet
            } catch (IOException e) {
                throw new IllegalStateException("could not read " + file + ": " + e.getMessage(), e);
            }
            pause();
        }
        throw new IllegalStateException(file + " never held " + marker);
    }

    /** When the page showed edit {@code n}, by the page's observer; -1 when it did not within ten seconds. */
    private static long awaitShown(HeadlessChromium browser, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Object at = browser.script("return window.velocityEdits['" + n + "'] || null");
            if (at instanceof Number millis) {
                return millis.longValue();
            }
            pause();
        }
        return -1;
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
