package dev.velocitypreview.router.routing;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.router.RouterProperties;

/** Wires the routing feature from {@link RouterProperties}. */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingConfiguration.class);

    @Bean
    RouterMetrics routerMetrics(MeterRegistry registry, SessionLookup sessions) {
        return new RouterMetrics(registry, sessions);
    }

    /**
     * Requests to previews are left out of Spring's {@code http.server.requests} observation: it cost about a tenth
     * of a proxied request's CPU, and every one of them would land under {@code uri=UNKNOWN} anyway. They are
     * counted by outcome in {@link RouterMetrics#DECISIONS}; the router's other endpoints stay observed.
     */
    @Bean
    ObservationPredicate previewRequestsUnobserved(RouterProperties properties) {
        String previewDomain = properties.previewDomain();
        return (name, context) -> !(context instanceof ServerRequestObservationContext server
                && PreviewAddress.isForPreview(server.getCarrier().getURI().getRawPath(),
                        server.getCarrier().getHeaders().getFirst(HttpHeaders.HOST), previewDomain));
    }

    @Bean
    Wakes wakes(ResumeSender resumes, RouterMetrics metrics) {
        return new Wakes(resumes, metrics, Clock.systemUTC());
    }

    @Bean
    SessionRouter sessionRouter(SessionLookup sessions, RouterProperties properties, RouterMetrics metrics, Wakes wakes) {
        return new SessionRouter(sessions, properties.maxHold(), properties.unknownGrace(), metrics, wakes);
    }

    @Bean
    PreviewGate previewGate(RouterProperties properties) {
        Secret secret = properties.previewTokenSecret();
        if (secret == null) {
            LOG.atWarn().log("no preview token secret configured (velocity.router.preview-token-secret): "
                    + "private previews are refused with 503");
        }
        return new PreviewGate(secret == null ? null : new PreviewToken(secret.value()), Clock.systemUTC());
    }

    @Bean
    DirectRoutes directRoutes(SessionLookup sessions, PreviewGate gate, SessionUse use, RouterMetrics metrics,
                              RouterProperties properties) {
        return new DirectRoutes(sessions, gate, use, metrics, properties.previewDomain());
    }

    @Bean
    PreviewRequestFilter previewRequestFilter(SessionLookup sessions, SessionRouter router, PreviewGate gate,
                                              PreviewForwarder forwarder, SessionUse use, RouterMetrics metrics,
                                              Wakes wakes, RouterProperties properties) {
        StartingPage startingPage = properties.startingPage().enabled()
                ? new StartingPage(sessions, gate, wakes, new RuntimeHealthClient(properties.connectTimeout()), metrics,
                        properties.maxHold(), Clock.systemUTC())
                : null;
        return new PreviewRequestFilter(sessions, router, gate, forwarder, use, metrics, properties.previewDomain(),
                properties.loadingRetryAfter(), Clock.systemUTC(), startingPage);
    }
}
