package dev.velocitypreview.machines.fly;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

import dev.velocitypreview.machines.MachineException;

/**
 * Keeps this driver inside Fly's rate limits: one {@link TokenBucket} per {@link FlyAction}, so that
 * a burst of creates queues here instead of earning 429s. Fly scopes some limits per machine and
 * some per app; every bucket here is per app, which is never more than Fly allows.
 *
 * <p>Thread-safe. A caller waits by sleeping until its reserved slot, never by polling.
 */
final class FlyRateLimiter {

    private final Ticker ticker;
    private final Map<FlyAction, TokenBucket> buckets = new EnumMap<>(FlyAction.class);

    FlyRateLimiter(FlyMachinesSettings.RateLimits limits, Ticker ticker) {
        this.ticker = ticker;
        long now = ticker.nanoTime();
        for (FlyAction action : FlyAction.values()) {
            buckets.put(action, action.isGet()
                    ? new TokenBucket(limits.getsPerSecond(), limits.getBurst(), now)
                    : new TokenBucket(limits.actionsPerSecond(), limits.actionBurst(), now));
        }
    }

    /**
     * Returns when a request of {@code action} may be sent.
     *
     * @param deadline the caller's deadline on {@link Ticker#nanoTime()}
     * @throws MachineException transient, when the queue is longer than the time left, or when interrupted
     */
    void acquire(FlyAction action, long deadline) {
        long now = ticker.nanoTime();
        OptionalLong sendAt = buckets.get(action).reserve(now, deadline);
        if (sendAt.isEmpty()) {
            throw new MachineException("too many " + action.logName() + " requests queued for Fly's rate limit to send this one within "
                    + Duration.ofNanos(Math.max(0, deadline - now)), true);
        }
        try {
            ticker.sleep(sendAt.getAsLong() - now);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineException("interrupted while waiting for Fly's rate limit", true, e);
        }
    }
}
