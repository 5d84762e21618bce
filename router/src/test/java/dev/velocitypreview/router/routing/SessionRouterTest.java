package dev.velocitypreview.router.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.router.routing.RouteDecision.Outcome;

import static dev.velocitypreview.router.routing.Views.active;
import static dev.velocitypreview.router.routing.Views.privately;
import static dev.velocitypreview.router.routing.Views.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SessionRouterTest {

    /** Waits that the test ends by publishing a change; long, so a slow machine cannot end them first. */
    private static final Duration LONG = Duration.ofSeconds(30);
    /** Waits the test lets run out. */
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration BLOCK = Duration.ofSeconds(10);

    private final InMemorySessions sessions = new InMemorySessions();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RouterMetrics metrics = new RouterMetrics(registry, sessions);
    private final RecordingResumes resumes = new RecordingResumes();
    private final Wakes wakes = new Wakes(resumes, metrics, Clock.systemUTC());
    private final SessionRouter router = new SessionRouter(sessions, LONG, LONG, metrics, wakes);
    private static final Function<SessionView, Access> OPEN = view -> Access.PUBLIC;

    private final UUID id = UUID.randomUUID();

    @Test
    void activeSessionIsRoutedAtOnce() {
        sessions.put(active(id, 3, "http://127.0.0.1:1"));

        RouteDecision decision = router.decide(id, OPEN).block(BLOCK);

        assertThat(decision.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(decision.waited()).isZero();
        assertThat(decision.requireSession().machineUrl()).isEqualTo("http://127.0.0.1:1");
    }

    @Test
    void heldRequestIsRoutedWhenSessionBecomesActive() {
        sessions.put(view(id, SessionStatus.REQUESTED, 0));

        CompletableFuture<RouteDecision> decision = router.decide(id, OPEN).toFuture();
        await().until(() -> sessions.waiting() == 1);
        sessions.put(view(id, SessionStatus.PROVISIONING, 1));
        sessions.put(view(id, SessionStatus.STARTING, 2));
        assertThat(decision).isNotDone();
        sessions.put(active(id, 3, "http://127.0.0.1:1"));

        assertThat(decision.join().outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(decision.join().waited()).isPositive();
        // The waiter is forgotten right after the decision, possibly on another thread.
        await().until(() -> sessions.waiting() == 0);
        assertThat(registry.get(RouterMetrics.HOLD_DURATION).tag("outcome", "route").tag("from", "requested").timer()
                .count()).isEqualTo(1);
        assertThat(resumes.sent).isEmpty();
    }

    @Test
    void heldRequestGetsTheEndWhenSessionFailsWhileStarting() {
        sessions.put(view(id, SessionStatus.STARTING, 2));

        CompletableFuture<RouteDecision> decision = router.decide(id, OPEN).toFuture();
        await().until(() -> sessions.waiting() == 1);
        sessions.put(view(id, SessionStatus.FAILED, 3, null, "dev server exited with 1", null));

        assertThat(decision.join().outcome()).isEqualTo(Outcome.BROKEN);
    }

    @Test
    void holdRunsOutNamingTheStateTheSessionIsStillIn() {
        sessions.put(view(id, SessionStatus.REQUESTED, 0));

        CompletableFuture<RouteDecision> decision = new SessionRouter(sessions, SHORT, LONG, metrics, wakes).decide(id, OPEN).toFuture();
        sessions.put(view(id, SessionStatus.PROVISIONING, 1));

        RouteDecision expired = decision.join();
        assertThat(expired.outcome()).isEqualTo(Outcome.HOLD_EXPIRED);
        assertThat(expired.requireSession().status()).isEqualTo(SessionStatus.PROVISIONING);
        assertThat(expired.waited()).isGreaterThanOrEqualTo(SHORT);
        // The waiter is forgotten right after the decision, possibly on another thread.
        await().until(() -> sessions.waiting() == 0);
    }

    @Test
    void unknownSessionIsUnknownAfterTheGrace() {
        RouteDecision decision = new SessionRouter(sessions, LONG, SHORT, metrics, wakes).decide(id, OPEN).block(BLOCK);

        assertThat(decision.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(decision.waited()).isGreaterThanOrEqualTo(SHORT);
        // The waiter is forgotten right after the decision, possibly on another thread.
        await().until(() -> sessions.waiting() == 0);
    }

    @Test
    void sessionThatAppearsDuringTheGraceIsHeldThenRouted() {
        CompletableFuture<RouteDecision> decision = router.decide(id, OPEN).toFuture();
        await().until(() -> sessions.waiting() == 1);
        sessions.put(view(id, SessionStatus.REQUESTED, 0));
        await().until(() -> sessions.waiting() == 1);
        sessions.put(active(id, 3, "http://127.0.0.1:1"));

        assertThat(decision.join().outcome()).isEqualTo(Outcome.ROUTE);
    }

    @Test
    void terminatedAndStoppingSessionsAreGone() {
        UUID stopping = UUID.randomUUID();
        sessions.put(view(id, SessionStatus.TERMINATED, 5, "user", null, null));
        sessions.put(view(stopping, SessionStatus.STOPPING, 4, "expired", null, null));

        assertThat(router.decide(id, OPEN).block(BLOCK).outcome()).isEqualTo(Outcome.GONE);
        assertThat(router.decide(stopping, OPEN).block(BLOCK).outcome()).isEqualTo(Outcome.GONE);
    }

    @Test
    void failedSessionIsBroken() {
        sessions.put(view(id, SessionStatus.FAILED, 2, null, "no capacity", null));

        RouteDecision decision = router.decide(id, OPEN).block(BLOCK);

        assertThat(decision.outcome()).isEqualTo(Outcome.BROKEN);
        assertThat(decision.requireSession().error()).isEqualTo("no capacity");
    }

    @Test
    void cancelledHoldForgetsItsWaiter() {
        sessions.put(view(id, SessionStatus.STARTING, 2));

        CompletableFuture<RouteDecision> decision = router.decide(id, OPEN).toFuture();
        await().until(() -> sessions.waiting() == 1);
        decision.cancel(true);

        await().until(() -> sessions.waiting() == 0);
    }

    @Test
    void heldRequestsAreCountedByTheGauge() {
        sessions.put(view(id, SessionStatus.STARTING, 2));

        CompletableFuture<RouteDecision> decision = router.decide(id, OPEN).toFuture();

        await().until(() -> registry.get(RouterMetrics.HELD).gauge().value() == 1.0);
        sessions.put(active(id, 3, "http://127.0.0.1:1"));
        decision.join();
        await().until(() -> registry.get(RouterMetrics.HELD).gauge().value() == 0.0);
    }

    @Test
    void requestThatMayNotGoThroughToASessionOnItsWayIsDecidedAtOnceWithoutHolding() {
        sessions.put(privately(view(id, SessionStatus.REQUESTED, 0)));

        RouteDecision decision = router.decide(id, view -> Access.MISSING).block(BLOCK);

        assertThat(decision.outcome()).isEqualTo(Outcome.UNAUTHORIZED);
        assertThat(decision.waited()).isZero();
        assertThat(sessions.waiting()).isZero();
    }

    @Test
    void unknownSessionIsCheckedOnceItAppearsAndNotHeld() {
        CompletableFuture<RouteDecision> decision = router.decide(id, view -> Access.MISSING).toFuture();
        await().until(() -> sessions.waiting() == 1);

        sessions.put(privately(view(id, SessionStatus.REQUESTED, 0)));

        assertThat(decision.join().outcome()).isEqualTo(Outcome.UNAUTHORIZED);
        // The waiter is forgotten right after the decision, possibly on another thread.
        await().until(() -> sessions.waiting() == 0);
    }

    @Test
    void tokenExchangeIsAnsweredBeforeTheSessionIsReady() {
        sessions.put(privately(view(id, SessionStatus.STARTING, 2)));
        Access exchange = Access.exchange("v1.token", Instant.now().plusSeconds(60));

        RouteDecision decision = router.decide(id, view -> exchange).block(BLOCK);

        assertThat(decision.outcome()).isEqualTo(Outcome.TOKEN_EXCHANGED);
        assertThat(decision.requireAccess()).isSameAs(exchange);
    }

    @Test
    void viewAHoldEndsWithIsCheckedAgain() {
        sessions.put(view(id, SessionStatus.STARTING, 2));

        CompletableFuture<RouteDecision> decision = router
                .decide(id, view -> view.visibility() == Visibility.PRIVATE ? Access.MISSING : Access.PUBLIC).toFuture();
        await().until(() -> sessions.waiting() == 1);
        sessions.put(privately(active(id, 3, "http://127.0.0.1:1")));

        assertThat(decision.join().outcome()).isEqualTo(Outcome.UNAUTHORIZED);
    }

    @Test
    void privateSessionWithoutASecretIsRefusedWhateverItsStatus() {
        sessions.put(privately(view(id, SessionStatus.TERMINATED, 5, "user", null, null)));

        RouteDecision decision = router.decide(id, view -> Access.NOT_CONFIGURED).block(BLOCK);

        assertThat(decision.outcome()).isEqualTo(Outcome.PRIVATE_NOT_CONFIGURED);
        assertThat(decision.outcome().tag()).isEqualTo("private-not-configured");
    }

    @Test
    void requestsForASuspendedSessionWakeItOnceAndAreRoutedWhenItIsActive() {
        sessions.put(view(id, SessionStatus.SUSPENDED, 4));

        CompletableFuture<RouteDecision> first = router.decide(id, OPEN).toFuture();
        CompletableFuture<RouteDecision> second = router.decide(id, OPEN).toFuture();
        await().until(() -> sessions.waiting() == 2);
        assertThat(resumes.sent).singleElement().satisfies(resume -> {
            assertThat(resume.sessionId()).isEqualTo(id);
            assertThat(resume.userId()).isEqualTo("user-1");
        });
        assertThat(first).isNotDone();
        sessions.put(active(id, 5, "http://127.0.0.1:1"));

        assertThat(first.join().outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(second.join().outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resumes.sent).hasSize(1);
        assertThat(registry.get(RouterMetrics.WAKES).tag("outcome", "published").counter().count()).isEqualTo(1);
        assertThat(registry.get(RouterMetrics.WAKE_DURATION).timer().count()).isEqualTo(1);
        assertThat(registry.get(RouterMetrics.HOLD_DURATION).tag("outcome", "route").tag("from", "suspended").timer()
                .count()).isEqualTo(2);
        assertThat(wakes.pending()).isZero();
    }

    @Test
    void aWakeThatWasNotAcknowledgedIsAskedForAgainByTheNextRequest() {
        sessions.put(view(id, SessionStatus.SUSPENDED, 4));
        resumes.refuse = true;

        CompletableFuture<RouteDecision> first = router.decide(id, OPEN).toFuture();
        await().until(() -> sessions.waiting() == 1);
        resumes.refuse = false;
        CompletableFuture<RouteDecision> second = router.decide(id, OPEN).toFuture();
        await().until(() -> sessions.waiting() == 2);

        assertThat(resumes.sent).hasSize(2);
        assertThat(registry.get(RouterMetrics.WAKES).tag("outcome", "failed").counter().count()).isEqualTo(1);
        sessions.put(active(id, 5, "http://127.0.0.1:1"));
        assertThat(first.join().outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(second.join().outcome()).isEqualTo(Outcome.ROUTE);
    }

    @Test
    void aSessionOnItsWayIsNotWoken() {
        sessions.put(view(id, SessionStatus.STARTING, 2));

        CompletableFuture<RouteDecision> decision = router.decide(id, OPEN).toFuture();
        await().until(() -> sessions.waiting() == 1);
        sessions.put(active(id, 3, "http://127.0.0.1:1"));

        assertThat(decision.join().outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resumes.sent).isEmpty();
    }

    @Test
    void aRequestThatMayNotGoThroughDoesNotWakeASuspendedSession() {
        sessions.put(privately(view(id, SessionStatus.SUSPENDED, 4)));

        RouteDecision decision = router.decide(id, view -> Access.MISSING).block(BLOCK);

        assertThat(decision.outcome()).isEqualTo(Outcome.UNAUTHORIZED);
        assertThat(resumes.sent).isEmpty();
    }

    @Test
    void aSuspendedSessionThatStaysSuspendedIsA504AndItsWakeIsNoLongerPending() {
        sessions.put(view(id, SessionStatus.SUSPENDED, 4));

        RouteDecision decision = new SessionRouter(sessions, SHORT, LONG, metrics, wakes).decide(id, OPEN).block(BLOCK);

        assertThat(decision.outcome()).isEqualTo(Outcome.HOLD_EXPIRED);
        assertThat(resumes.sent).hasSize(1);
        assertThat(wakes.pending()).isZero();
        assertThat(registry.find(RouterMetrics.WAKE_DURATION).timer()).isNull();
    }
}
