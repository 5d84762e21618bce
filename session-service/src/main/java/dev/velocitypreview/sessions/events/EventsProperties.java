package dev.velocitypreview.sessions.events;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.velocitypreview.core.config.PositiveDuration;

/**
 * The sessions' event streams ({@code GET /v1/sessions/{id}/events}), under {@code velocity.session-service.events}.
 *
 * @param heartbeat   how often an open stream gets a {@code : keep-alive} comment, so that proxies and load
 *                    balancers that close idle connections keep it open
 * @param maxDuration longest a stream stays open; it then ends and the client reconnects with {@code Last-Event-ID}
 *                    (browsers' {@code EventSource} does so by itself), so no connection is held forever
 * @param maxStreams  most streams open at once on one instance; one more is refused with 503
 *                    {@code too_many_event_streams} and a {@code Retry-After}
 */
@ConfigurationProperties("velocity.session-service.events")
@Validated
public record EventsProperties(
        @DefaultValue("15s") @PositiveDuration Duration heartbeat,
        @DefaultValue("30m") @PositiveDuration Duration maxDuration,
        @DefaultValue("1000") int maxStreams) {

    public EventsProperties {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("events.max-streams must be at least 1, got " + maxStreams);
        }
    }
}
