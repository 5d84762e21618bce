package dev.velocitypreview.router.routing;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.SessionView;
import reactor.core.publisher.Mono;

/**
 * Takes every request for a preview before anything else sees it: validates the id, waits for the
 * directory to be ready, asks {@link SessionRouter} what to do, and forwards or answers with a problem.
 * Requests that are not for a preview (actuator, ...) pass through.
 */
final class PreviewRequestFilter implements WebFilter, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(PreviewRequestFilter.class);

    private final SessionLookup sessions;
    private final SessionRouter router;
    private final PreviewForwarder forwarder;
    private final RouterMetrics metrics;
    private final String previewDomain;
    private final Duration loadingRetryAfter;

    PreviewRequestFilter(SessionLookup sessions, SessionRouter router, PreviewForwarder forwarder, RouterMetrics metrics,
                         String previewDomain, Duration loadingRetryAfter) {
        this.sessions = sessions;
        this.router = router;
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.previewDomain = previewDomain;
        this.loadingRetryAfter = loadingRetryAfter;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        PreviewAddress address = PreviewAddress.resolve(
                request.getURI().getRawPath(), request.getHeaders().getFirst(HttpHeaders.HOST), previewDomain);
        return switch (address.kind()) {
            case NONE -> chain.filter(exchange);
            case MALFORMED -> {
                metrics.decided(RouterMetrics.MALFORMED);
                yield Problem.malformedId(address.rawId() == null ? "" : address.rawId()).writeTo(exchange);
            }
            case ADD_SLASH -> addSlash(exchange, address);
            case PREVIEW -> serve(exchange, address);
        };
    }

    private Mono<Void> addSlash(ServerWebExchange exchange, PreviewAddress address) {
        metrics.decided(RouterMetrics.REDIRECT);
        String query = exchange.getRequest().getURI().getRawQuery();
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.PERMANENT_REDIRECT);
        response.getHeaders().setLocation(URI.create(address.prefix() + "/" + (query == null ? "" : "?" + query)));
        response.getHeaders().set(PreviewHeaders.SESSION_ID, address.requireSessionId().toString());
        return response.setComplete();
    }

    private Mono<Void> serve(ServerWebExchange exchange, PreviewAddress address) {
        UUID id = address.requireSessionId();
        if (!sessions.isReady()) {
            metrics.decided(RouterMetrics.LOADING);
            return Problem.loading(id, loadingRetryAfter).writeTo(exchange);
        }
        return router.decide(id).flatMap(decision -> {
            metrics.decided(decision.outcome().tag());
            return switch (decision.outcome()) {
                case ROUTE -> forward(exchange, address, decision.requireSession());
                case HOLD_EXPIRED -> Problem.notReady(decision.requireSession(), decision.waited()).writeTo(exchange);
                case UNKNOWN -> Problem.notFound(id, decision.waited()).writeTo(exchange);
                case GONE -> Problem.terminated(decision.requireSession()).writeTo(exchange);
                case BROKEN -> Problem.failed(decision.requireSession()).writeTo(exchange);
            };
        });
    }

    private Mono<Void> forward(ServerWebExchange exchange, PreviewAddress address, SessionView session) {
        ForwardTarget target;
        try {
            target = new ForwardTarget(session.id(), URI.create(String.valueOf(session.machineUrl())), address.path(),
                    exchange.getRequest().getURI().getRawQuery(), address.prefix());
        } catch (IllegalArgumentException e) {
            LOG.atWarn().addKeyValue("session", session.id()).addKeyValue("machineUrl", session.machineUrl())
                    .log("active session has no usable machine url");
            return Problem.machineUnreachable(session, "its address is unusable (" + e.getMessage() + ")").writeTo(exchange);
        }
        LOG.atDebug().addKeyValue("session", session.id()).addKeyValue("method", exchange.getRequest().getMethod())
                .addKeyValue("path", address.path()).log("forwarding request");
        return forwarder.forward(exchange, target)
                .onErrorResume(MachineUnreachableException.class, e -> {
                    LOG.atWarn().addKeyValue("session", session.id()).addKeyValue("machine", target.machine())
                            .addKeyValue("cause", e.getCause() == null ? e.getMessage() : e.getCause().toString())
                            .log("machine unreachable");
                    return Problem.machineUnreachable(session, e.getCause() == null ? "" : describe(e.getCause()))
                            .writeTo(exchange);
                });
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
