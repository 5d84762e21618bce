package dev.velocitypreview.router.routing;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.router.RouterProperties;

/** Wires the routing feature from {@link RouterProperties}. */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    @Bean
    RouterMetrics routerMetrics(MeterRegistry registry, SessionLookup sessions) {
        return new RouterMetrics(registry, sessions);
    }

    @Bean
    SessionRouter sessionRouter(SessionLookup sessions, RouterProperties properties, RouterMetrics metrics) {
        return new SessionRouter(sessions, properties.maxHold(), properties.unknownGrace(), metrics);
    }

    @Bean
    PreviewRequestFilter previewRequestFilter(SessionLookup sessions, SessionRouter router, PreviewForwarder forwarder,
                                              RouterMetrics metrics, RouterProperties properties) {
        return new PreviewRequestFilter(sessions, router, forwarder, metrics, properties.previewDomain(),
                properties.loadingRetryAfter());
    }
}
