package dev.velocitypreview.sessions.api;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.boot.problem.ProblemCounter;
import io.micrometer.core.instrument.MeterRegistry;

/** The API's one rejection counter, {@code velocity.sessions.rejected}: every layer that refuses a request counts there. */
@Configuration(proxyBeanMethods = false)
class RejectionCounting {

    static final String REJECTED = "velocity.sessions.rejected";

    @Bean
    ProblemCounter rejectedRequests(MeterRegistry registry) {
        return new ProblemCounter(registry, REJECTED);
    }
}
