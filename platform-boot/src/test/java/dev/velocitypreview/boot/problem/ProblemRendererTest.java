package dev.velocitypreview.boot.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.ServerHttpResponse;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ProblemRendererTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void problemCarriesItsCodeAndATypeNamedAfterIt() {
        ProblemDetail problem = ProblemRenderer.problem(HttpStatus.NOT_FOUND, "session_not_found", "no session x");

        JsonNode json = JSON.readTree(ProblemRenderer.toJson(problem));

        assertThat(json.get("type").stringValue()).isEqualTo("urn:velocity-preview:problem:session-not-found");
        assertThat(json.get("code").stringValue()).isEqualTo("session_not_found");
        assertThat(json.get("title").stringValue()).isEqualTo("Not Found");
        assertThat(json.get("status").intValue()).isEqualTo(404);
        assertThat(json.get("detail").stringValue()).isEqualTo("no session x");
        assertThat(json.has("instance")).as("no instance was given").isFalse();
        assertThat(json.has("properties")).as("properties are members of their own").isFalse();
    }

    @Test
    void ownTitleAndExtraMembersAreWrittenAsMembers() {
        UUID id = UUID.randomUUID();
        ProblemDetail problem = ProblemRenderer.problem(HttpStatus.GONE, "session_terminated", "preview was terminated",
                "session " + id + " was terminated");
        problem.setProperty("sessionId", id);

        JsonNode json = JSON.readTree(ProblemRenderer.toJson(problem));

        assertThat(json.get("title").stringValue()).isEqualTo("preview was terminated");
        assertThat(json.get("sessionId").stringValue()).isEqualTo(id.toString());
    }

    @Test
    void instanceIsThePathWhenItIsAUriAndLeftOutWhenItIsNot() {
        ProblemDetail valid = ProblemRenderer.withInstance(
                ProblemRenderer.problem(HttpStatus.BAD_REQUEST, "invalid_path", "bad"), "/v1/sessions/x");
        ProblemDetail invalid = ProblemRenderer.withInstance(
                ProblemRenderer.problem(HttpStatus.BAD_REQUEST, "malformed_request", "bad"), "/s/{x}/");

        assertThat(valid.getInstance()).isEqualTo(URI.create("/v1/sessions/x"));
        assertThat(JSON.readTree(ProblemRenderer.toJson(invalid)).has("instance")).isFalse();
    }

    @Test
    void springsOwnProblemsAreCompletedWithACodeNamedAfterTheirStatus() {
        ProblemDetail spring = ProblemDetail.forStatusAndDetail(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "no xml");

        String code = ProblemRenderer.complete(spring);

        assertThat(code).isEqualTo("unsupported_media_type");
        assertThat(ProblemRenderer.code(spring)).isEqualTo("unsupported_media_type");
        assertThat(spring.getType()).isEqualTo(URI.create("urn:velocity-preview:problem:unsupported-media-type"));
        assertThat(ProblemRenderer.codeOf(HttpStatusCode.valueOf(599))).isEqualTo("http_599");
    }

    @Test
    void aProblemThatHasACodeKeepsIt() {
        ProblemDetail ours = ProblemRenderer.problem(HttpStatus.BAD_REQUEST, "invalid_ttl", "ttl must be positive");

        assertThat(ProblemRenderer.complete(ours)).isEqualTo("invalid_ttl");
        assertThat(ours.getType()).isEqualTo(URI.create("urn:velocity-preview:problem:invalid-ttl"));
    }

    @Test
    void codesAreSnakeCase() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProblemRenderer.type("session-not-found"))
                .withMessageContaining("snake case");
        assertThatIllegalArgumentException().isThrownBy(() -> ProblemRenderer.type(""));
    }

    @Test
    void writeSendsStatusHeadersAndBody() throws Exception {
        ProblemDetail problem = ProblemRenderer.problem(HttpStatus.SERVICE_UNAVAILABLE, "view_not_ready", "wait");
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, "2");
        RecordingResponse response = new RecordingResponse();

        ProblemRenderer.write(problem, headers, response);

        assertThat(response.status).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
        assertThat(response.getHeaders().getContentLength()).isEqualTo(response.body.size());
        assertThat(JSON.readTree(response.body.toByteArray()).get("code").stringValue()).isEqualTo("view_not_ready");
        assertThat(response.flushed).isTrue();
    }

    /** A response that keeps what was written to it. */
    private static final class RecordingResponse implements ServerHttpResponse {

        private final HttpHeaders headers = new HttpHeaders();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private @Nullable HttpStatusCode status;
        private boolean flushed;

        @Override
        public void setStatusCode(HttpStatusCode status) {
            this.status = status;
        }

        @Override
        public void flush() {
            flushed = true;
        }

        @Override
        public void close() {
        }

        @Override
        public OutputStream getBody() {
            return body;
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }
    }
}
