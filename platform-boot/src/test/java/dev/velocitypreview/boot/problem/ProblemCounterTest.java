package dev.velocitypreview.boot.problem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ProblemCounterTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProblemCounter counter = new ProblemCounter(registry, "test.rejected");

    @Test
    void countsEachProblemByItsCode() {
        counter.count(ProblemRenderer.problem(HttpStatus.BAD_REQUEST, "invalid_path", "a"));
        counter.count(ProblemRenderer.problem(HttpStatus.BAD_REQUEST, "invalid_path", "b"));
        counter.count(ProblemRenderer.problem(HttpStatus.UNAUTHORIZED, "invalid_token", "c"));

        assertThat(registry.get("test.rejected").tag("reason", "invalid_path").counter().count()).isEqualTo(2.0);
        assertThat(registry.get("test.rejected").tag("reason", "invalid_token").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aProblemWithoutACodeIsCountedByItsStatus() {
        counter.count(ProblemDetail.forStatus(HttpStatus.METHOD_NOT_ALLOWED));

        assertThat(registry.get("test.rejected").tag("reason", "method_not_allowed").counter().count()).isEqualTo(1.0);
    }
}
