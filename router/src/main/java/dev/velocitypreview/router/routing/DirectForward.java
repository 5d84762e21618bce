package dev.velocitypreview.router.routing;

import io.netty.handler.codec.http.FullHttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;

import dev.velocitypreview.core.session.SessionView;
import reactor.core.Disposable;

/**
 * One request on its way to its machine through the proxy's fast path ({@link DirectRoutes}), from the decision
 * to the end of the machine's answer: what {@link PreviewRequestFilter} does around a forward of its own (the
 * reserved cookies stripped, the machine's response headers sanitized, use told, the forward measured, the problem
 * for a machine that does not answer), for a forwarder that is not WebFlux. Used on one event loop; ends once.
 */
public final class DirectForward {

    private static final Logger LOG = LoggerFactory.getLogger(DirectForward.class);

    private final SessionView session;
    private final ForwardTarget target;
    private final DirectMachine machine;
    private final String clientPath;
    private final boolean privateSession;
    private final SessionUse use;
    private final RouterMetrics metrics;
    private final Disposable departureRegistration;
    private final long started = System.nanoTime();
    private boolean ended;

    DirectForward(SessionView session, ForwardTarget target, DirectMachine machine, String clientPath,
                  boolean privateSession, SessionUse use, RouterMetrics metrics, Disposable departureRegistration) {
        this.session = session;
        this.target = target;
        this.machine = machine;
        this.clientPath = clientPath;
        this.privateSession = privateSession;
        this.use = use;
        this.metrics = metrics;
        this.departureRegistration = departureRegistration;
    }

    public ForwardTarget target() {
        return target;
    }

    /** The target's machine, where to connect and what to send as {@code Host}. */
    public DirectMachine machine() {
        return machine;
    }

    /**
     * Removes the reserved preview cookies from the headers going to the machine (the preview capability stops at
     * this router), the other cookies kept as they were.
     */
    public void stripReservedCookies(HttpHeaders toMachine) {
        if (PreviewCookie.anyReserved(toMachine)) {
            PreviewCookie.strip(toMachine);
        }
    }

    /** What the router changes in the machine's response headers before the client sees them. */
    public void sanitize(HttpHeaders response) {
        MachineResponseHeaders.sanitize(response, privateSession);
    }

    /** The machine answered in full, or the answer stopped after it began (the client's connection is closed). */
    public void ended() {
        end(RouterMetrics.FORWARDED);
    }

    /**
     * The machine could not be reached or closed its connection before it answered: logged, measured, and the
     * problem for the client, as the filter answers it.
     */
    public FullHttpResponse unreachable(Throwable cause) {
        LOG.atWarn().addKeyValue("session", session.id()).addKeyValue("machine", target.machine())
                .addKeyValue("cause", cause.toString()).log("machine unreachable");
        end(RouterMetrics.UNREACHABLE);
        return Problem.machineUnreachable(session, cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getMessage()).toResponse(clientPath);
    }

    /**
     * The session left the machine before it answered: the forward is cut off and the request, which has no body,
     * goes on to the filter, which decides it again on the newer view (held and woken, or answered as ended).
     */
    public void departed(SessionView now) {
        LOG.atInfo().addKeyValue("session", session.id()).addKeyValue("machine", session.machineId())
                .addKeyValue("status", now.status()).addKeyValue("decidedAgain", true)
                .log("forward cut off: the session left its machine before it answered");
        end(RouterMetrics.DEPARTED);
    }

    private void end(String outcome) {
        if (ended) {
            return;
        }
        ended = true;
        departureRegistration.dispose();
        use.ended(session.id());
        metrics.forwarded(outcome, System.nanoTime() - started);
    }

    @Override
    public String toString() {
        return "DirectForward[" + session.id() + " " + target.rawPath() + "]";
    }
}
