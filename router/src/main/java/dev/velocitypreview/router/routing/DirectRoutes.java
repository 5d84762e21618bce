package dev.velocitypreview.router.routing;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Visibility;

/**
 * The route decision for a request that can go to its machine at once, without WebFlux: the proxy's fast path
 * ({@code router.proxy}) asks here, and only here, whether it may take a request. It may when the request is for a
 * preview whose session is ACTIVE in the directory (no hold, no starting page, no problem to answer) and that the
 * request may open ({@link PreviewGate}, as {@link PreviewRequestFilter} asks it), on a machine this router reaches
 * over plain HTTP at an IP address. Everything else is {@link PreviewRequestFilter}'s, as before; the decision is
 * the same one ({@link RouteDecision}), and a forward taken here is told to {@link SessionUse}, measured and cut off
 * on a departure ({@link ForwardsInFlight}) as one of the filter's.
 *
 * <p>Why a machine at an IP address only: connecting to a name resolves it, which the JDK does blocking, and the
 * fast path connects from the event loop. The local and docker drivers name machines by address; a name goes on to
 * the filter, whose client resolves it without blocking.
 */
public final class DirectRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(DirectRoutes.class);
    /** Far above the machines one router reaches; keeps the parsed machine URLs from growing the heap. */
    static final int MAX_MACHINES = 100_000;
    /** Not reachable on this path: the filter's to try. */
    private static final Optional<DirectMachine> UNREACHABLE = Optional.empty();

    private final SessionLookup sessions;
    private final PreviewGate gate;
    private final SessionUse use;
    private final RouterMetrics metrics;
    private final String previewDomain;
    private final ForwardsInFlight inFlight;
    /**
     * The sessions' machine URLs parsed, by URL: parsing one (and its address) on every request was a measured part
     * of the fast path's cost (docs/benchmarks.md §4). A URL is dropped once a session leaves it or ends.
     */
    private final Map<String, Optional<DirectMachine>> machines = new ConcurrentHashMap<>();

    DirectRoutes(SessionLookup sessions, PreviewGate gate, SessionUse use, RouterMetrics metrics, String previewDomain) {
        this.sessions = sessions;
        this.gate = gate;
        this.use = use;
        this.metrics = metrics;
        this.previewDomain = previewDomain;
        this.inFlight = new ForwardsInFlight(sessions);
        sessions.onChange((id, before, update) -> {
            String left = before == null ? null : before.machineUrl();
            if (left != null && (update == null || update.status().isTerminal() || !left.equals(update.machineUrl()))) {
                machines.remove(left);
            }
        });
    }

    /**
     * The forward of a request without a body that goes straight to its machine, begun (in use, registered for
     * its session's departure); empty when the request is not for this path and goes on to WebFlux untouched.
     *
     * @param target     the request target as it arrived (the request line's)
     * @param headers    the request's headers, unchanged here
     * @param onDeparture called (on a Kafka Streams thread, or at once) with the session's newer view when it left
     *                   the machine before the forward ended; possibly more than once
     */
    public Optional<DirectForward> open(HttpMethod method, String target, HttpHeaders headers,
                                        Consumer<SessionView> onDeparture) {
        // anything else is parsed as a URI by WebFlux, which may refuse it
        if (!MalformedRequestProblems.isPlainOriginForm(target)) {
            return Optional.empty();
        }
        int question = target.indexOf('?');
        String rawPath = question < 0 ? target : target.substring(0, question);
        String rawQuery = question < 0 ? null : target.substring(question + 1);
        PreviewAddress address = PreviewAddress.resolve(rawPath, headers.getFirst(HttpHeaders.HOST), previewDomain);
        if (address.kind() != PreviewAddress.Kind.PREVIEW || StartingPage.STATUS_PATH.equals(address.path())
                || !sessions.isReady()) {
            return Optional.empty();
        }
        SessionView session = sessions.lookup(address.requireSessionId()).orElse(null);
        if (session == null || session.status() != SessionStatus.ACTIVE) {
            return Optional.empty();
        }
        PresentedTokens presented = PresentedTokens.of(method, rawQuery, headers, session.id());
        if (RouteDecision.of(session, gate.check(session, presented), Duration.ZERO).outcome()
                != RouteDecision.Outcome.ROUTE) {
            return Optional.empty();
        }
        DirectMachine machine = session.machineUrl() == null ? null : machineAt(session.machineUrl()).orElse(null);
        if (machine == null) {
            return Optional.empty();
        }
        ForwardTarget forwardTarget = new ForwardTarget(session.id(), session.machineId(), machine.url(), address.path(),
                TokenParameter.strip(rawQuery), address.prefix());
        metrics.decided(RouteDecision.Outcome.ROUTE.tag());
        LOG.atDebug().addKeyValue("session", session.id()).addKeyValue("method", method)
                .addKeyValue("path", address.path()).log("forwarding request");
        use.began(session.id());
        return Optional.of(new DirectForward(session, forwardTarget, machine, rawPath,
                session.visibility() == Visibility.PRIVATE, use, metrics, inFlight.register(session, onDeparture)));
    }

    private Optional<DirectMachine> machineAt(String machineUrl) {
        Optional<DirectMachine> known = machines.get(machineUrl);
        if (known != null) {
            return known;
        }
        if (machines.size() >= MAX_MACHINES) {
            // only URLs no session left yet are here: a router this far past its share starts over
            machines.clear();
        }
        return machines.computeIfAbsent(machineUrl, DirectRoutes::reachable);
    }

    /** The machine when it is plain HTTP at an IP address; empty otherwise (the filter's to try). */
    private static Optional<DirectMachine> reachable(String machineUrl) {
        try {
            URI machine = URI.create(machineUrl);
            String host = machine.getHost();
            if (!"http".equals(machine.getScheme()) || host == null || machine.getRawUserInfo() != null
                    || !NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
                return UNREACHABLE;
            }
            int port = machine.getPort();
            // what Reactor Netty's client sends as Host: the machine's host, and its port unless it is 80
            String hostHeader = port < 0 || port == 80 ? host : host + ":" + port;
            return Optional.of(new DirectMachine(machine, new InetSocketAddress(host, port < 0 ? 80 : port), hostHeader));
        } catch (IllegalArgumentException unusable) {
            // the filter answers it with its problem
            return UNREACHABLE;
        }
    }
}
