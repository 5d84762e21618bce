package dev.velocitypreview.router.routing;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;
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
import dev.velocitypreview.core.session.Visibility;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Takes every request for a preview before anything else sees it: validates the id, waits for the
 * directory to be ready, asks {@link SessionRouter} what to do (with {@link PreviewGate} deciding whether the
 * request may go through to the session), and forwards, exchanges a preview token for a cookie, or answers with
 * a problem. Every forward is told to {@link SessionUse} for as long as it lasts (a relayed WebSocket outlives
 * its forward: the forwarder tells its own lifetime), which is how cleanup learns the session is in use.
 * A browser navigation to a session on its way, and the status stream that page follows, are {@link StartingPage}'s
 * to answer, before any hold. Requests that are not for a preview (actuator, ...) pass through.
 */
final class PreviewRequestFilter implements WebFilter, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(PreviewRequestFilter.class);
    /** Exchange attribute: the request was already decided again after a departure. */
    private static final String DECIDED_AGAIN = PreviewRequestFilter.class.getName() + ".decidedAgain";

    private final SessionLookup sessions;
    private final SessionRouter router;
    private final PreviewGate gate;
    private final PreviewForwarder forwarder;
    private final SessionUse use;
    private final RouterMetrics metrics;
    private final String previewDomain;
    private final Duration loadingRetryAfter;
    private final Clock clock;
    private final ForwardsInFlight inFlight;
    private final @Nullable StartingPage startingPage;

    /** Without the starting page: navigations are held like every other request. */
    PreviewRequestFilter(SessionLookup sessions, SessionRouter router, PreviewGate gate, PreviewForwarder forwarder,
                         SessionUse use, RouterMetrics metrics, String previewDomain, Duration loadingRetryAfter,
                         Clock clock) {
        this(sessions, router, gate, forwarder, use, metrics, previewDomain, loadingRetryAfter, clock, null);
    }

    /** @param startingPage what navigations to a session on its way get; null when the page is turned off */
    PreviewRequestFilter(SessionLookup sessions, SessionRouter router, PreviewGate gate, PreviewForwarder forwarder,
                         SessionUse use, RouterMetrics metrics, String previewDomain, Duration loadingRetryAfter,
                         Clock clock, @Nullable StartingPage startingPage) {
        this.sessions = sessions;
        this.router = router;
        this.gate = gate;
        this.forwarder = forwarder;
        this.use = use;
        this.metrics = metrics;
        this.previewDomain = previewDomain;
        this.loadingRetryAfter = loadingRetryAfter;
        this.clock = clock;
        this.inFlight = new ForwardsInFlight(sessions);
        this.startingPage = startingPage;
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
        PresentedTokens presented = PresentedTokens.of(exchange.getRequest(), id);
        Optional<Mono<Void>> starting = startingPage == null ? Optional.empty()
                : startingPage.answer(exchange, address, presented);
        if (starting.isPresent()) {
            return starting.get();
        }
        return router.decide(id, view -> gate.check(view, presented)).flatMap(decision -> {
            metrics.decided(decision.outcome().tag());
            return switch (decision.outcome()) {
                case ROUTE -> forward(exchange, address, decision.requireSession());
                case HOLD_EXPIRED -> Problem.notReady(decision.requireSession(), decision.waited()).writeTo(exchange);
                case UNKNOWN -> Problem.notFound(id, decision.waited()).writeTo(exchange);
                case GONE -> Problem.terminated(decision.requireSession()).writeTo(exchange);
                case BROKEN -> Problem.failed(decision.requireSession()).writeTo(exchange);
                case TOKEN_EXCHANGED -> exchangeToken(exchange, address, decision.requireAccess());
                case UNAUTHORIZED -> {
                    LOG.atDebug().addKeyValue("session", id).addKeyValue("access", decision.requireAccess())
                            .log("private preview refused");
                    yield Problem.unauthorized(decision.requireSession(), decision.requireAccess()).writeTo(exchange);
                }
                case PRIVATE_NOT_CONFIGURED -> {
                    LOG.atWarn().addKeyValue("session", id)
                            .log("private preview refused: no preview token secret configured");
                    yield Problem.privateNotConfigured(decision.requireSession()).writeTo(exchange);
                }
            };
        });
    }

    /**
     * Answers a page request whose query carries a valid token with a redirect to the same URL without it, setting
     * the cookie, so the token leaves the address bar, the history and the {@code Referer} of what the page loads.
     */
    private Mono<Void> exchangeToken(ServerWebExchange exchange, PreviewAddress address, Access access) {
        UUID id = address.requireSessionId();
        ServerHttpRequest request = exchange.getRequest();
        Instant expiresAt = Objects.requireNonNull(access.expiresAt(), "an exchange has an expiry");
        long remaining = Math.max(1, expiresAt.getEpochSecond() - clock.instant().getEpochSecond());
        String query = TokenParameter.strip(request.getURI().getRawQuery());
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.SEE_OTHER);
        response.getHeaders().setLocation(URI.create(localPath(request.getURI().getRawPath()) + (query == null ? "" : "?" + query)));
        response.getHeaders().set(PreviewHeaders.SESSION_ID, id.toString());
        response.getHeaders().setCacheControl("no-store");
        response.addCookie(PreviewCookie.issue(id, Objects.requireNonNull(access.token(), "an exchange has a token"),
                Duration.ofSeconds(remaining), isSecure(request), address.prefix()));
        LOG.atInfo().addKeyValue("session", id).addKeyValue("expiresAt", expiresAt).log("preview token exchanged for a cookie");
        return response.setComplete();
    }

    /** A path that starts with {@code //} (or a backslash, to browsers the same) would name another host in a Location. */
    private static String localPath(String rawPath) {
        int start = 0;
        while (start < rawPath.length() && (rawPath.charAt(start) == '/' || rawPath.charAt(start) == '\\')) {
            start++;
        }
        return "/" + rawPath.substring(start);
    }

    /** The client used https: to this router, or to the proxy in front of it ({@code X-Forwarded-Proto}). */
    private static boolean isSecure(ServerHttpRequest request) {
        if ("https".equalsIgnoreCase(request.getURI().getScheme())) {
            return true;
        }
        // With several proxies the first entry is the one the client talked to.
        String forwarded = request.getHeaders().getFirst(PreviewHeaders.FORWARDED_PROTO);
        return forwarded != null && "https".equalsIgnoreCase(forwarded.split(",", 2)[0].trim());
    }

    private Mono<Void> forward(ServerWebExchange exchange, PreviewAddress address, SessionView session) {
        ForwardTarget target;
        try {
            target = new ForwardTarget(session.id(), session.machineId(), URI.create(String.valueOf(session.machineUrl())),
                    address.path(),
                    TokenParameter.strip(exchange.getRequest().getURI().getRawQuery()), address.prefix());
        } catch (IllegalArgumentException e) {
            LOG.atWarn().addKeyValue("session", session.id()).addKeyValue("machineUrl", session.machineUrl())
                    .log("active session has no usable machine url");
            return Problem.machineUnreachable(session, "its address is unusable (" + e.getMessage() + ")").writeTo(exchange);
        }
        LOG.atDebug().addKeyValue("session", session.id()).addKeyValue("method", exchange.getRequest().getMethod())
                .addKeyValue("path", address.path()).log("forwarding request");
        // The preview capability (cookie and query parameter) stops here when this router proxies; a Fly replay
        // carries the client's own request to the machine (see docs/deploy-fly.md).
        // A mutated exchange copies every header: only made when there is a cookie to remove.
        ServerWebExchange stripped = PreviewCookie.anyReserved(exchange.getRequest().getHeaders())
                ? exchange.mutate().request(request -> request.headers(PreviewCookie::strip)).build()
                : exchange;
        boolean privateSession = session.visibility() == Visibility.PRIVATE;
        stripped.getResponse().beforeCommit(() -> {
            MachineResponseHeaders.sanitize(stripped.getResponse().getHeaders(), privateSession);
            return Mono.empty();
        });
        long started = System.nanoTime();
        String[] outcome = {RouterMetrics.FORWARDED};
        AtomicReference<SessionView> departed = new AtomicReference<>();
        // Acted on off the Kafka Streams thread the departure is seen on (deciding again may publish a RESUME), on
        // the connection's event loop, where the machine's answer is committed: so "not begun yet" stays true
        // until the forward is cut off. An answer that has begun is never cut off, which would truncate it (the
        // machine answers, so it is not suspended); nor may the empty completion of this filter cut it off.
        EventLoop loop = ExchangeLoop.of(exchange.getRequest());
        Mono<SessionView> departure = inFlight.departure(session)
                .publishOn(loop == null ? Schedulers.parallel() : Schedulers.fromExecutor(loop))
                .filter(view -> !stripped.getResponse().isCommitted())
                .doOnNext(departed::set)
                .switchIfEmpty(Mono.never());
        return Mono.defer(() -> {
                    use.began(session.id());
                    return forwarder.forward(stripped, target);
                })
                .takeUntilOther(departure)
                .onErrorResume(MachineUnreachableException.class, e -> {
                    outcome[0] = RouterMetrics.UNREACHABLE;
                    LOG.atWarn().addKeyValue("session", session.id()).addKeyValue("machine", target.machine())
                            .addKeyValue("cause", e.getCause() == null ? e.getMessage() : e.getCause().toString())
                            .log("machine unreachable");
                    return Problem.machineUnreachable(session, e.getCause() == null ? "" : describe(e.getCause()))
                            .writeTo(exchange);
                })
                .onErrorResume(RequestBodyTooLargeException.class, e -> {
                    outcome[0] = RouterMetrics.TOO_LARGE;
                    LOG.atInfo().addKeyValue("session", session.id()).addKeyValue("limitBytes", e.limitBytes())
                            .log("request body too large to forward");
                    return Problem.bodyTooLarge(session, e.limitBytes()).writeTo(exchange);
                })
                .onErrorResume(UnroutableSessionException.class, e -> {
                    outcome[0] = RouterMetrics.UNROUTABLE;
                    LOG.atWarn().addKeyValue("session", session.id()).addKeyValue("reason", e.getMessage())
                            .log("active session cannot be routed");
                    return Problem.unroutable(session, e.getMessage()).writeTo(exchange);
                })
                .doFinally(signal -> {
                    use.ended(session.id());
                    metrics.forwarded(departed.get() == null ? outcome[0] : RouterMetrics.DEPARTED,
                            System.nanoTime() - started);
                })
                .then(Mono.defer(() -> departed.get() == null ? Mono.empty()
                        : afterDeparture(exchange, address, session, departed.get())));
    }

    /**
     * The session left the machine a forward went to before the machine answered ({@link ForwardsInFlight}). A
     * request without a body is decided again, once, on the newer view: a suspended session is held and woken, an
     * ended one answered as such. One whose body is already on its way cannot be sent twice: 503, send it again.
     */
    private Mono<Void> afterDeparture(ServerWebExchange exchange, PreviewAddress address, SessionView routed,
                                      SessionView now) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        HttpHeaders headers = exchange.getRequest().getHeaders();
        boolean withBody = headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
        boolean again = !withBody && exchange.getAttributes().putIfAbsent(DECIDED_AGAIN, Boolean.TRUE) == null;
        LOG.atInfo().addKeyValue("session", routed.id()).addKeyValue("machine", routed.machineId())
                .addKeyValue("status", now.status()).addKeyValue("decidedAgain", again)
                .log("forward cut off: the session left its machine before it answered");
        // what a machine's answer may have set before it was cut off is not this answer's
        response.setStatusCode(null);
        response.getHeaders().clear();
        return again ? serve(exchange, address) : Problem.leftMachine(now).writeTo(exchange);
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
