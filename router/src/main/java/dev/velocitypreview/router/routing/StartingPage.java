package dev.velocitypreview.router.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.codec.ServerSentEventHttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.HtmlUtils;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionStatus.Routing;
import dev.velocitypreview.core.session.SessionView;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What a person's browser gets for a preview that is still on its way, instead of a connection held open with
 * nothing to show: a browser navigation to a session on its way ({@link Routing#HOLD}) is answered at once with a
 * small page of the router's own, and the page follows the session through {@value #STATUS_PATH}, a Server-Sent
 * Events stream of the session's status from this router's directory (its waiters: nothing polls Kafka), plus, while
 * it starts and its view names the machine's URL, the machine's own checks ({@link MachineHealth}). The page turns into the app by loading itself again once the session is
 * active. Requests that are not navigations are none of its business: they are held as ever.
 *
 * <p>Choices:
 * <ul>
 *   <li>Navigation is what the browser says it is ({@code Sec-Fetch-Mode: navigate} and an {@code Accept} with
 *       {@code text/html}): a script's fetch, an asset or a WebSocket must never get a page in place of its
 *       answer.</li>
 *   <li>The page is one classpath template; every value put in it is HTML-escaped (the error is the project's own
 *       output), and its script and style run under a per-response nonce, with nothing loaded from elsewhere. It
 *       carries no {@code frame-ancestors} and no {@code X-Frame-Options}: previews live in other sites' iframes.</li>
 *   <li>The status stream has the same access check as the preview (a private session's token, as cookie or
 *       parameter); it lasts at most the hold, after which the browser's EventSource reconnects by itself.</li>
 *   <li>A suspended session is woken when its page is served and while its status is followed ({@link Wakes}), as
 *       a held request would wake it.</li>
 *   <li>A navigation to a session that failed or has ended gets the same page, saying so, with the status its
 *       problem would have had (502, 410): a person who reloads sees the error, not a problem document.</li>
 * </ul>
 */
final class StartingPage {

    /** The reserved path of the status stream on every preview, host style or under {@code /s/{id}}. */
    static final String STATUS_PATH = "/__velocity/status";
    private static final Logger LOG = LoggerFactory.getLogger(StartingPage.class);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\w+)}}");
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** How often the machine's checks are asked for while the session is STARTING. */
    private static final Duration CHECKS_EVERY = Duration.ofSeconds(1);
    private static final ResolvableType EVENT = ResolvableType.forClassWithGenerics(ServerSentEvent.class, String.class);
    private static final ServerSentEventHttpMessageWriter EVENTS = new ServerSentEventHttpMessageWriter();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SecureRandom NONCES = new SecureRandom();

    private final SessionLookup sessions;
    private final PreviewGate gate;
    private final Wakes wakes;
    private final MachineHealth health;
    private final RouterMetrics metrics;
    private final Duration streamFor;
    private final Clock clock;
    private final String template;

    /** @param streamFor how long one status stream lasts at most (the router's max hold) */
    StartingPage(SessionLookup sessions, PreviewGate gate, Wakes wakes, MachineHealth health, RouterMetrics metrics,
                 Duration streamFor, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions == null");
        this.gate = Objects.requireNonNull(gate, "gate == null");
        this.wakes = Objects.requireNonNull(wakes, "wakes == null");
        this.health = Objects.requireNonNull(health, "health == null");
        this.metrics = Objects.requireNonNull(metrics, "metrics == null");
        this.streamFor = Objects.requireNonNull(streamFor, "streamFor == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.template = load("starting-page.html");
    }

    /**
     * The answer to a request for a preview when it is this page's to give (the status stream, or a navigation to a
     * session on its way that the request may open); empty when the request goes on as any other.
     */
    Optional<Mono<Void>> answer(ServerWebExchange exchange, PreviewAddress address, PresentedTokens presented) {
        UUID id = address.requireSessionId();
        if (STATUS_PATH.equals(address.path())) {
            return Optional.of(status(exchange, id, presented));
        }
        if (!isNavigation(exchange.getRequest())) {
            return Optional.empty();
        }
        return sessions.lookup(id)
                .filter(view -> view.status().routing() != Routing.ROUTE)
                .filter(view -> gate.check(view, presented).admits())
                .map(view -> page(exchange, address, view));
    }

    /** What the browser says a top-level or frame navigation is; a fetch, an asset or a WebSocket is none. */
    static boolean isNavigation(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        return HttpMethod.GET.equals(request.getMethod())
                && "navigate".equalsIgnoreCase(headers.getFirst("Sec-Fetch-Mode"))
                && headers.getValuesAsList(HttpHeaders.ACCEPT).stream()
                        .anyMatch(accept -> accept.toLowerCase(Locale.ROOT).contains(MediaType.TEXT_HTML_VALUE));
    }

    private Mono<Void> page(ServerWebExchange exchange, PreviewAddress address, SessionView view) {
        metrics.decided(RouterMetrics.STARTING_PAGE);
        if (view.status().wakesOnRequest()) {
            wakes.requested(view);
        }
        String nonce = nonce();
        String statusUrl = (address.prefix() == null ? "" : address.prefix()) + STATUS_PATH;
        byte[] body = render(view, statusUrl, nonce).getBytes(StandardCharsets.UTF_8);
        LOG.atDebug().addKeyValue("session", view.id()).addKeyValue("status", view.status()).log("starting page served");
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(switch (view.status().routing()) {
            case GONE -> HttpStatus.GONE;
            case BROKEN -> HttpStatus.BAD_GATEWAY;
            case ROUTE, HOLD -> HttpStatus.OK;
        });
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8));
        headers.setCacheControl("no-store");
        headers.set(PreviewHeaders.SESSION_ID, view.id().toString());
        headers.set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-"
                + nonce + "'; connect-src 'self'; base-uri 'none'; form-action 'none'");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.setContentLength(body.length);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
    }

    /** The page for {@code view}, every value HTML-escaped. */
    String render(SessionView view, String statusUrl, String nonce) {
        Map<String, String> values = Map.of(
                "nonce", nonce,
                "sessionId", view.id().toString(),
                "status", view.status().name(),
                "error", view.error() == null ? "" : view.error(),
                "reason", view.statusReason() == null ? "" : view.statusReason(),
                "elapsedMs", Long.toString(elapsed(view).toMillis()),
                "statusUrl", statusUrl);
        Matcher placeholder = PLACEHOLDER.matcher(template);
        StringBuilder page = new StringBuilder(template.length() + 256);
        while (placeholder.find()) {
            String value = values.get(placeholder.group(1));
            if (value == null) {
                throw new IllegalStateException("the starting page names " + placeholder.group() + ", which it is never given");
            }
            placeholder.appendReplacement(page, Matcher.quoteReplacement(HtmlUtils.htmlEscape(value, "UTF-8")));
        }
        placeholder.appendTail(page);
        return page.toString();
    }

    /** Since the session was asked for; a suspended one since now, the page being the request that wakes it. */
    private Duration elapsed(SessionView view) {
        Instant requested = view.requestedAt();
        if (requested == null || view.status() == SessionStatus.SUSPENDED) {
            return Duration.ZERO;
        }
        Duration since = Duration.between(requested, clock.instant());
        return since.isNegative() ? Duration.ZERO : since;
    }

    private Mono<Void> status(ServerWebExchange exchange, UUID id, PresentedTokens presented) {
        Optional<SessionView> known = sessions.lookup(id);
        if (known.isEmpty()) {
            return Problem.notFound(id, Duration.ZERO).writeTo(exchange);
        }
        SessionView view = known.get();
        // An EventSource cannot follow a redirect that sets a cookie: a valid token in its query admits it as it is.
        Access access = gate.check(view, new PresentedTokens(presented.inQuery(), presented.inCookies(), false));
        switch (access.verdict()) {
            case PUBLIC, ADMITTED -> {
            }
            case NOT_CONFIGURED -> {
                return Problem.privateNotConfigured(view).writeTo(exchange);
            }
            default -> {
                return Problem.unauthorized(view, access).writeTo(exchange);
            }
        }
        metrics.decided(RouterMetrics.STATUS_STREAM);
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(switch (view.status().routing()) {
            case GONE -> HttpStatus.GONE;
            case BROKEN -> HttpStatus.BAD_GATEWAY;
            case ROUTE, HOLD -> HttpStatus.OK;
        });
        response.getHeaders().setCacheControl("no-store");
        response.getHeaders().set(PreviewHeaders.SESSION_ID, id.toString());
        Flux<ServerSentEvent<String>> events = views(view)
                .switchMap(this::withChecks)
                .distinctUntilChanged()
                .map(state -> ServerSentEvent.builder(state.json()).event("status").retry(Duration.ofSeconds(1)).build())
                .take(streamFor);
        Flux<ServerSentEvent<String>> withHeartbeat = events.publish(shared -> Flux.merge(shared,
                Flux.interval(HEARTBEAT).map(tick -> ServerSentEvent.<String>builder().comment("heartbeat").build())
                        .takeUntilOther(shared.then())));
        return EVENTS.write(withHeartbeat, EVENT, MediaType.TEXT_EVENT_STREAM, response, Map.of());
    }

    /**
     * {@code first} and every newer view of its session, up to the first that is no longer on its way; a suspended
     * session is woken while it is followed, as a held request would wake it.
     */
    private Flux<SessionView> views(SessionView first) {
        boolean wake = first.status().wakesOnRequest();
        if (wake) {
            wakes.requested(first);
        }
        SessionView[] latest = {first};
        return Flux.concat(Mono.just(first), changesAfter(first))
                .doOnNext(view -> latest[0] = view)
                .doFinally(signal -> {
                    if (wake) {
                        wakes.settled(first.id(), latest[0]);
                    }
                });
    }

    private Flux<SessionView> changesAfter(SessionView last) {
        if (last.status().routing() != Routing.HOLD) {
            return Flux.empty();
        }
        return Mono.fromFuture(() -> sessions.await(last.id(), view -> view.version() > last.version(), streamFor))
                .onErrorResume(TimeoutException.class, e -> Mono.empty())
                // waits complete on the Kafka Streams thread: the stream must not go on there
                .publishOn(Schedulers.parallel())
                .flatMapMany(next -> Flux.concat(Mono.just(next), changesAfter(next)));
    }

    /** The state of {@code view}; while it is STARTING, again whenever the machine's checks say more. */
    private Flux<StartingState> withChecks(SessionView view) {
        StartingState state = StartingState.of(view, null);
        if (view.status() != SessionStatus.STARTING || view.machineUrl() == null) {
            return Flux.just(state);
        }
        return Flux.concat(Mono.just(state), Flux.interval(Duration.ZERO, CHECKS_EVERY)
                .concatMap(tick -> health.checks(view))
                .map(checks -> StartingState.of(view, checks)));
    }

    /**
     * What the page is told.
     *
     * @param checks the machine's own steps by name ({@code install}, {@code dev-server}) while it starts, when the
     *               router could ask it; null otherwise
     */
    record StartingState(String status, @Nullable String error, @Nullable String reason,
                         @Nullable Map<String, String> checks) {

        static StartingState of(SessionView view, @Nullable Map<String, String> checks) {
            return new StartingState(view.status().name(), view.error(), view.statusReason(), checks);
        }

        String json() {
            return JSON.writeValueAsString(this);
        }
    }

    private static String nonce() {
        byte[] bytes = new byte[18];
        NONCES.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String load(String name) {
        try (InputStream in = StartingPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the starting page template " + name + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the starting page template " + name, e);
        }
    }
}
