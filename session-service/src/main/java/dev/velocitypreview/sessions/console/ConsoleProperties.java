package dev.velocitypreview.sessions.console;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.velocitypreview.core.config.PositiveDuration;

/**
 * The operator console ({@code /console}), under {@code velocity.session-service.console}.
 *
 * @param metricsSources the {@code /actuator/prometheus} URLs of the platform's other processes (routers,
 *                       provisioners with their changelog relay, cleanup), which the console scrapes on each of
 *                       its refreshes for router hold time, changelog lag, cleanup actions and dead-lettered
 *                       commands; sent without credentials, so give the management ports that only the platform
 *                       reaches. Empty: the console shows this process's own figures alone. The launcher fills it
 *                       with the embedded services' addresses
 * @param scrapeTimeout  how long one scrape of a metrics source may take; a source that does not answer in time
 *                       (or answers with an error) shows as unavailable, the rest of the console as usual
 */
@ConfigurationProperties("velocity.session-service.console")
@Validated
public record ConsoleProperties(
        @Nullable List<URI> metricsSources,
        @DefaultValue("2s") @PositiveDuration Duration scrapeTimeout) {

    public ConsoleProperties {
        metricsSources = metricsSources == null ? List.of() : List.copyOf(metricsSources);
        for (URI source : metricsSources) {
            if (source.getHost() == null || !("http".equals(source.getScheme()) || "https".equals(source.getScheme()))) {
                throw new IllegalArgumentException("console.metrics-sources must be absolute http(s) URLs, got " + source);
            }
        }
    }
}
