package dev.velocitypreview.boot.problem;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the problems a service answered, tagged {@code reason} with each problem's code: one counter for
 * every layer that refuses requests, so a refusal is counted the same whoever wrote it. Thread-safe.
 */
public final class ProblemCounter {

    private final MeterRegistry registry;
    private final String name;

    /** @param name the meter's name, such as {@code velocity.sessions.rejected} */
    public ProblemCounter(MeterRegistry registry, String name) {
        this.registry = registry;
        this.name = name;
    }

    public void count(ProblemDetail problem) {
        String code = ProblemRenderer.code(problem);
        // looked up in the registry each time (refusals are not a hot path), so a removed meter comes back
        Counter.builder(name)
                .description("requests answered with a 4xx or 5xx problem, by its code")
                .tag("reason", code != null ? code : ProblemRenderer.codeOf(HttpStatusCode.valueOf(problem.getStatus())))
                .register(registry)
                .increment();
    }
}
