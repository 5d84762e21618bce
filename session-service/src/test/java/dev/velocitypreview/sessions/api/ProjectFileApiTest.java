package dev.velocitypreview.sessions.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import dev.velocitypreview.sessions.TestTokens;
import dev.velocitypreview.sessions.files.FileCommandSender;
import dev.velocitypreview.sessions.files.FilesProperties;
import dev.velocitypreview.sessions.files.ProjectFileStore;
import io.micrometer.core.instrument.MeterRegistry;

import static dev.velocitypreview.sessions.TestTokens.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files API's answers that need no provisioner: a write the provisioner does not answer in time, and an API
 * without a files datasource. What the provisioner decides is tested with it, in the launcher's {@code ProjectFilesIT}.
 */
@WebMvcTest(controllers = ProjectFileController.class, properties = {
        "spring.config.name=session-service",
        "velocity.session-service.public-base-url=https://api.test",
        "velocity.session-service.auth.hs256-secret=" + TestTokens.SECRET})
@Import({ApiSlice.class, FileMetrics.class, ProjectFileApiTest.Files.class})
class ProjectFileApiTest {

    private static final String USER = "user-1";
    private static final UUID PROJECT = UUID.fromString("7d7d1b5e-0c1a-4a44-9a55-2c3d4e5f6a7b");

    @Autowired
    MockMvcTester mvc;
    @Autowired
    Files files;
    @Autowired
    MeterRegistry registry;

    @BeforeEach
    void reset() {
        files.sent.clear();
        files.configured = true;
        registry.clear();
    }

    @Test
    void aWriteNotAnsweredInTimeIsAcceptedWithItsCommandIdAndWhereToReadIt() {
        var result = mvc.put().uri(java.net.URI.create("/v1/projects/" + PROJECT + "/files/src/App%20Main.jsx"))
                .header(HttpHeaders.AUTHORIZATION, bearer(TestTokens.user(USER)))
                .contentType(MediaType.TEXT_PLAIN).content("x").exchange();

        assertThat(result).hasStatus(HttpStatus.ACCEPTED);
        assertThat(result).bodyJson().extractingPath("$.status").isEqualTo("pending");
        assertThat(result).bodyJson().extractingPath("$.commandId").isEqualTo(files.sent.get(0).commandId().toString());
        assertThat(result).headers().hasValue(HttpHeaders.LOCATION,
                "https://api.test/v1/projects/" + PROJECT + "/files/src/App%20Main.jsx");
        FileCommand.Write write = (FileCommand.Write) files.sent.get(0);
        assertThat(write.changes().get(0).path()).isEqualTo("src/App Main.jsx");
        assertThat(registry.get("velocity.files.writes").tag("outcome", "pending").counter().count()).isEqualTo(1);
    }

    @Test
    void withoutAFilesDatasourceEveryEndpointSaysSo() {
        files.configured = false;
        String token = bearer(TestTokens.user(USER));

        var put = mvc.put().uri("/v1/projects/" + PROJECT + "/files/a.txt").header(HttpHeaders.AUTHORIZATION, token)
                .content("x").exchange();
        var list = mvc.get().uri("/v1/projects/" + PROJECT + "/files").header(HttpHeaders.AUTHORIZATION, token).exchange();

        for (var result : List.of(put, list)) {
            assertThat(result).hasStatus(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(result).bodyJson().extractingPath("$.code").isEqualTo("files_not_configured");
        }
        assertThat(files.sent).isEmpty();
    }

    @Test
    void aRefusedPathIsNeverPublished() {
        var result = mvc.post().uri("/v1/projects/" + PROJECT + "/files:batch")
                .header(HttpHeaders.AUTHORIZATION, bearer(TestTokens.user(USER)))
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"writes\":[{\"path\":\"a.txt\",\"content\":\"x\"},{\"path\":\"a.txt\",\"content\":\"y\"}]}")
                .exchange();

        assertThat(result).hasStatus(HttpStatus.BAD_REQUEST);
        assertThat(result).bodyJson().extractingPath("$.code").isEqualTo("duplicate_path");
        assertThat(files.sent).isEmpty();
        assertThat(registry.get("velocity.files.writes").tag("outcome", "refused").counter().count()).isEqualTo(1);
    }

    /** A store that knows the one project of {@link #USER}, and a sender whose provisioner never answers. */
    @TestConfiguration(proxyBeanMethods = false)
    @EnableConfigurationProperties(FilesProperties.class)
    static class Files implements FileCommandSender {

        final List<FileCommand> sent = new ArrayList<>();
        volatile boolean configured = true;

        @Bean
        ProjectFileStore store() {
            return new ProjectFileStore() {
                @Override
                public boolean owns(UUID projectId, String userId) {
                    if (!configured) {
                        return ProjectFileStore.unconfigured().owns(projectId, userId);
                    }
                    return projectId.equals(PROJECT) && userId.equals(USER);
                }

                @Override
                public Optional<StoredFile> file(UUID projectId, String path) {
                    return Optional.of(new StoredFile(path, "x", 1, 1, Instant.EPOCH));
                }

                @Override
                public List<FileEntry> list(UUID projectId) {
                    return List.of();
                }

                @Override
                public List<StoredFile> files(UUID projectId, java.util.Collection<String> paths) {
                    return List.of();
                }
            };
        }

        @Override
        public synchronized Optional<FileOutcome> send(FileCommand command) {
            sent.add(command);
            return Optional.empty();
        }
    }
}
