package dev.velocitypreview.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves forward instead of waiting for time to pass: stopped at an instant, or running with
 * the system's and moved ahead by {@link #advance}. Thread-safe (services' threads read it while the test
 * moves it).
 */
public final class TestClock extends Clock {

    private final Clock base;
    private volatile Duration offset = Duration.ZERO;

    private TestClock(Clock base) {
        this.base = base;
    }

    /** A clock that stands at {@code at} until the test moves it. */
    public static TestClock stoppedAt(Instant at) {
        return new TestClock(Clock.fixed(at, ZoneOffset.UTC));
    }

    /** A clock that runs with the system's, for a platform that also runs in real time. */
    public static TestClock running() {
        return new TestClock(Clock.systemUTC());
    }

    public synchronized void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("a test clock only moves forward, got " + by);
        }
        offset = offset.plus(by);
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock has one zone");
    }
}
