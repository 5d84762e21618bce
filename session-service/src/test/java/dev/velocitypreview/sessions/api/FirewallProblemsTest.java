package dev.velocitypreview.sessions.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class FirewallProblemsTest {

    @Test
    void anEncodedPeriodIsNamed() {
        MockHttpServletRequest request = get("/v1/sessions/%2e%2e");

        ApiProblem problem = FirewallProblems.problemFor(request);

        assertThat(problem.code()).isEqualTo("invalid_path");
        assertThat(problem.getBody().getDetail()).contains("the path holds '%2e'");
    }

    @Test
    void aControlCharacterIsNotQuoted() {
        MockHttpServletRequest request = get("/v1/sessions/a");
        request.setServletPath("/v1/sessions/a\rb");

        ApiProblem problem = FirewallProblems.problemFor(request);

        assertThat(problem.code()).isEqualTo("invalid_path");
        assertThat(problem.getBody().getDetail()).contains("a control character").doesNotContain("\r");
    }

    @Test
    void aPathThatClimbsIsNotNormalized() {
        MockHttpServletRequest request = get("/v1/sessions/../admin");

        assertThat(FirewallProblems.problemFor(request).getBody().getDetail()).contains("not normalized");
    }

    @Test
    void aNonStandardMethodIsRefusedAsSuch() {
        MockHttpServletRequest request = get("/v1/sessions");
        request.setMethod("TRACE");

        assertThat(FirewallProblems.problemFor(request).code()).isEqualTo("invalid_method");
    }

    @Test
    void aControlCharacterInAHeaderValue() {
        MockHttpServletRequest request = get("/v1/sessions");
        request.addHeader("X-Note", "a\u0007b");

        assertThat(FirewallProblems.problemFor(request).code()).isEqualTo("invalid_header");
    }

    @Test
    void aControlCharacterInAParameter() {
        MockHttpServletRequest request = get("/v1/sessions");
        request.addParameter("sta\u0007tus", "active");

        assertThat(FirewallProblems.problemFor(request).code()).isEqualTo("invalid_parameter");
    }

    @Test
    void anythingElseIsARejectedRequest() {
        assertThat(FirewallProblems.problemFor(get("/v1/sessions")).code()).isEqualTo("rejected_request");
    }

    private static MockHttpServletRequest get(String path) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        request.setServletPath(path);
        return request;
    }
}
