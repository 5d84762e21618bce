package dev.velocitypreview.sessions.api;

import java.time.Duration;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** What the files API measures (docs/metrics.md): writes by outcome and how long each took to be answered. */
@Component
class FileMetrics {

    static final String WRITES = "velocity.files.writes";
    static final String WRITE_DURATION = "velocity.files.write.duration";

    private final MeterRegistry registry;

    FileMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    Timer.Sample start() {
        return Timer.start(registry);
    }

    /**
     * @param outcome {@code applied} (200), {@code refused} (by the API's checks or the provisioner's), {@code pending}
     *                (202: stored, not answered in time) or {@code failed} (503: not stored)
     */
    void written(Timer.Sample sample, String outcome) {
        sample.stop(Timer.builder(WRITE_DURATION)
                .description("a files API write (PUT, DELETE, batch), from its request to its answer")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry));
        Counter.builder(WRITES)
                .description("files API writes (PUT, DELETE, batch) by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }
}
