package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RuntimeOptionsTest {

    private static final List<String> REQUIRED = List.of("--work-dir=/tmp/w", "--bundle=/tmp/b.json");

    private static RuntimeOptions parse(List<String> extra, Map<String, String> env) {
        List<String> args = new java.util.ArrayList<>(REQUIRED);
        args.addAll(extra);
        return RuntimeOptions.parse(args, env);
    }

    @Test
    void defaultsListenOnLoopbackWithTheDocumentedLimits() {
        RuntimeOptions options = parse(List.of(), Map.of());

        assertThat(options.bind()).isEqualTo("127.0.0.1");
        assertThat(options.port()).isEqualTo(8080);
        assertThat(options.workDir()).isEqualTo(Path.of("/tmp/w"));
        assertThat(options.portFile()).isNull();
        assertThat(options.limits()).isEqualTo(new FileLimits(1_048_576, 52_428_800, 5000));
    }

    @Test
    void environmentVariablesFillInWhatTheCommandLineDoesNotSay() {
        RuntimeOptions options = RuntimeOptions.parse(List.of("--port=0"), Map.of(
                "PREVIEW_PORT", "9000", "PREVIEW_WORK_DIR", "/srv/work", "PREVIEW_BUNDLE", "/srv/bundle.json",
                "PREVIEW_MAX_FILES", "12", "PREVIEW_PORT_FILE", "/srv/port"));

        assertThat(options.port()).isZero();
        assertThat(options.workDir()).isEqualTo(Path.of("/srv/work"));
        assertThat(options.portFile()).isEqualTo(Path.of("/srv/port"));
        assertThat(options.limits().maxFiles()).isEqualTo(12);
    }

    @Test
    void badOptionsAreNamedPrecisely() {
        assertThatThrownBy(() -> parse(List.of("--port=http"), Map.of()))
                .hasMessage("--port must be a whole number from 0 to 65535, got 'http'");
        assertThatThrownBy(() -> parse(List.of("--port=70000"), Map.of()))
                .hasMessage("--port must be a whole number from 0 to 65535, got '70000'");
        assertThatThrownBy(() -> parse(List.of(), Map.of("PREVIEW_MAX_FILE_BYTES", "-1")))
                .hasMessage("PREVIEW_MAX_FILE_BYTES must be a whole number from 1 to 2147483647, got '-1'");
        assertThatThrownBy(() -> parse(List.of("--prot=1"), Map.of()))
                .hasMessageStartingWith("unknown option --prot; known options: --port, --bind,");
        assertThatThrownBy(() -> parse(List.of("--port"), Map.of()))
                .hasMessage("argument '--port' is not of the form --name=value");
        assertThatThrownBy(() -> parse(List.of("--port=1", "--port=2"), Map.of()))
                .hasMessage("option --port is given twice");
        assertThatThrownBy(() -> RuntimeOptions.parse(List.of("--bundle=/b.json"), Map.of()))
                .hasMessage("option --work-dir is required (or set PREVIEW_WORK_DIR)");
        assertThatThrownBy(() -> parse(List.of("--bind=no-such-host.invalid"), Map.of()))
                .hasMessage("--bind is not an address this host has: 'no-such-host.invalid'");
    }

    @Test
    void theReplayStateComesFromTheEnvironmentAndIsNeverShown() {
        String secret = "0123456789abcdef0123456789abcdef";
        RuntimeOptions options = parse(List.of(), Map.of("PREVIEW_REPLAY_STATE", secret));

        assertThat(options.replayState().presentIn(List.of("instance=148ed193b95e89;state=" + secret))).isTrue();
        assertThat(options.toString()).doesNotContain(secret).contains("ReplayState[******]");
        assertThat(parse(List.of(), Map.of()).replayState()).isNull();
        assertThat(parse(List.of(), Map.of("PREVIEW_REPLAY_STATE", "")).replayState()).as("empty means unset").isNull();
    }

    @Test
    void aReplayStateOfAnotherShapeIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> parse(List.of(), Map.of("PREVIEW_REPLAY_STATE", "too-short-secret")))
                .hasMessage("PREVIEW_REPLAY_STATE must be 32 to 256 of A-Z a-z 0-9 _ - (for example: openssl rand -hex 32),"
                        + " got 16 characters");
        assertThatThrownBy(() -> parse(List.of("--replay-state=0123456789abcdef0123456789abcde;app=x"), Map.of()))
                .hasMessageEndingWith("got 37 characters")
                .hasMessageNotContaining("0123456789");
    }

    @Test
    void devModeOptionsHaveDocumentedDefaultsAndReadDurations() {
        RuntimeOptions.DevOptions defaults = parse(List.of(), Map.of()).dev();
        assertThat(defaults.depsCache()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "velocity-preview-deps"));
        assertThat(defaults.npm()).isEqualTo("npm");
        assertThat(defaults.installTimeout()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(defaults.startTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));

        RuntimeOptions.DevOptions given = parse(List.of("--install-timeout=90", "--dev-start-timeout=1500ms", "--npm=/opt/node/bin/npm"),
                Map.of("PREVIEW_DEPS_CACHE", "/srv/deps")).dev();
        assertThat(given.depsCache()).isEqualTo(Path.of("/srv/deps"));
        assertThat(given.npm()).isEqualTo("/opt/node/bin/npm");
        assertThat(given.installTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(given.startTimeout()).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(parse(List.of("--install-timeout=5m"), Map.of()).dev().installTimeout()).isEqualTo(java.time.Duration.ofMinutes(5));

        assertThatThrownBy(() -> parse(List.of("--install-timeout=soon"), Map.of()))
                .hasMessage("--install-timeout must be a positive duration (seconds, or with a unit: 500ms, 90s, 5m), got 'soon'");
        assertThatThrownBy(() -> parse(List.of(), Map.of("PREVIEW_DEV_START_TIMEOUT", "0s")))
                .hasMessageStartingWith("PREVIEW_DEV_START_TIMEOUT must be a positive duration");
    }

    /** The one PREVIEW_* value a dev server is given: Next.js checks its page's origin against it. */
    @Test
    void thePreviewDomainReachesTheDevServerAndNothingButADomainIsTaken() {
        assertThat(parse(List.of(), Map.of()).dev().previewDomain()).isNull();
        RuntimeOptions.DevOptions given = parse(List.of(), Map.of("PREVIEW_DOMAIN", "preview.example.com")).dev();
        assertThat(given.previewDomain()).isEqualTo("preview.example.com");
        assertThat(DevServer.environment(4100, given.previewDomain()))
                .containsEntry("PREVIEW_DOMAIN", "preview.example.com").containsEntry("PORT", "4100");
        assertThat(DevServer.environment(4100, null)).doesNotContainKey("PREVIEW_DOMAIN");

        for (String bad : List.of("Preview.Example.com", "example", "a..b", "x.com; rm -rf /", "-a.example.com")) {
            assertThatThrownBy(() -> parse(List.of("--domain=" + bad), Map.of())).as(bad)
                    .hasMessageStartingWith("--domain (PREVIEW_DOMAIN) must be a lower-case DNS name");
        }
    }

    @Test
    void liveEditsNeedBothTheSyncUrlAndTheSyncToken() {
        String url = "http://10.0.0.2:8080/machine/v1/sessions/3f1c/sync";
        RuntimeOptions both = parse(List.of("--sync-url=" + url), Map.of("PREVIEW_SYNC_TOKEN", "v1.token-secret"));

        assertThat(both.sync().url()).isEqualTo(java.net.URI.create(url));
        assertThat(both.sync().token()).isEqualTo("v1.token-secret");
        assertThat(both.sync().toString()).doesNotContain("token-secret");
        assertThat(parse(List.of(), Map.of()).sync()).as("neither: no live edits").isNull();
        assertThatThrownBy(() -> parse(List.of(), Map.of("PREVIEW_SYNC_URL", url)))
                .hasMessage("PREVIEW_SYNC_URL is set but --sync-token (or PREVIEW_SYNC_TOKEN) is not: live edits need both,"
                        + " or neither to run without them");
        assertThatThrownBy(() -> parse(List.of("--sync-token=secret"), Map.of()))
                .hasMessage("--sync-token is set but --sync-url (or PREVIEW_SYNC_URL) is not: live edits need both,"
                        + " or neither to run without them");
        assertThatThrownBy(() -> parse(List.of("--sync-url=ftp://x/sync", "--sync-token=secret"), Map.of()))
                .hasMessage("--sync-url must be an http or https URL with a host, got 'ftp://x/sync'");
        assertThat(RuntimeOptions.usage()).contains("--sync-url", "PREVIEW_SYNC_URL", "--sync-token", "PREVIEW_SYNC_TOKEN");
    }

    @Test
    void aPoolTokenStartsPoolModeAndIsNeverShown() {
        String token = "pool-claim-token-0123456789abcdef";
        RuntimeOptions pooled = parse(List.of(), Map.of("PREVIEW_POOL_TOKEN", token));

        assertThat(pooled.pooled()).isTrue();
        assertThat(pooled.poolToken().acceptsAuthorization(List.of("Bearer " + token))).isTrue();
        assertThat(pooled.poolToken().acceptsAuthorization(List.of("bearer " + token))).as("the scheme is case-insensitive").isTrue();
        assertThat(pooled.poolToken().acceptsAuthorization(List.of("Bearer " + token + "x"))).isFalse();
        assertThat(pooled.poolToken().acceptsAuthorization(List.of(token))).as("no scheme").isFalse();
        assertThat(pooled.poolToken().acceptsAuthorization(List.of())).isFalse();
        assertThat(pooled.toString()).doesNotContain(token).contains("PoolToken[******]");
        assertThat(parse(List.of(), Map.of()).pooled()).isFalse();
        assertThat(RuntimeOptions.usage()).contains("--pool-token", "PREVIEW_POOL_TOKEN");
    }

    @Test
    void aPoolTokenIsRefusedWithTheOptionsOfASession() {
        String token = "pool-claim-token-0123456789abcdef";

        assertThatThrownBy(() -> parse(List.of("--session-id=3f1c"), Map.of("PREVIEW_POOL_TOKEN", token)))
                .hasMessage("PREVIEW_POOL_TOKEN starts a warm pool's machine, which learns its session from its claim:"
                        + " it cannot be given --session-id too");
        assertThatThrownBy(() -> parse(List.of("--pool-token=" + token), Map.of("PREVIEW_SESSION_ID", "3f1c")))
                .hasMessage("--pool-token starts a warm pool's machine, which learns its session from its claim:"
                        + " it cannot be given PREVIEW_SESSION_ID too");
        assertThatThrownBy(() -> parse(List.of("--pool-token=" + token),
                Map.of("PREVIEW_REPLAY_STATE", "0123456789abcdef0123456789abcdef")))
                .hasMessageEndingWith("it cannot be given PREVIEW_REPLAY_STATE too");
        assertThatThrownBy(() -> parse(List.of("--pool-token=" + token, "--sync-url=http://10.0.0.2/sync",
                "--sync-token=v1.secret"), Map.of()))
                .hasMessageEndingWith("it cannot be given --sync-url too");
        assertThatThrownBy(() -> parse(List.of(), Map.of("PREVIEW_POOL_TOKEN", "short secret")))
                .hasMessage("PREVIEW_POOL_TOKEN must be at least 16 visible ASCII characters, no spaces, got 12 characters");
    }
}
