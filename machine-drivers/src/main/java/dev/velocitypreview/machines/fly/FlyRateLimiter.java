package dev.velocitypreview.machines.fly;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.machines.MachineException;

/**
 * Keeps this driver inside Fly's rate limits: one {@link TokenBucket} per {@link FlyAction}, so that
 * a burst of creates queues here instead of earning 429s. Fly scopes some limits per machine and
 * some per app: an action {@linkplain FlyAction#isPerMachine() limited per machine} has a bucket per machine,
 * every other one a bucket per app, which is never more than Fly allows.
 *
 * <p>Thread-safe. A caller waits by sleeping until its reserved slot, never by polling.
 */
final class FlyRateLimiter {

    private final Ticker ticker;
    /** Per-machine buckets are forgotten once full again, so this stays as small as the machines in use. */
    private static final int FORGET_FULL_BUCKETS_ABOVE = 256;

    private final FlyMachinesSettings.RateLimits limits;
    private final Map<FlyAction, TokenBucket> buckets = new EnumMap<>(FlyAction.class);
    private final Map<Key, TokenBucket> machineBuckets = new ConcurrentHashMap<>();

    private record Key(FlyAction action, String machine) {
    }

    FlyRateLimiter(FlyMachinesSettings.RateLimits limits, Ticker ticker) {
        this.ticker = ticker;
        this.limits = limits;
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
     * @param machine  the machine the request is about; required for an action limited per machine
     * @param deadline the caller's deadline on {@link Ticker#nanoTime()}
     * @throws MachineException transient, when the queue is longer than the time left, or when interrupted
     */
    void acquire(FlyAction action, @Nullable String machine, long deadline) {
        long now = ticker.nanoTime();
        OptionalLong sendAt = bucket(action, machine, now).reserve(now, deadline);
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

    private TokenBucket bucket(FlyAction action, @Nullable String machine, long now) {
        if (!action.isPerMachine()) {
            return buckets.get(action);
        }
        if (machine == null) {
            throw new IllegalArgumentException(action.logName() + " is limited per machine: a request needs its machine");
        }
        if (machineBuckets.size() > FORGET_FULL_BUCKETS_ABOVE) {
            machineBuckets.values().removeIf(bucket -> bucket.isFull(now));
        }
        return machineBuckets.computeIfAbsent(new Key(action, machine), key -> action.isGet()
                ? new TokenBucket(limits.getsPerSecond(), limits.getBurst(), now)
                : new TokenBucket(limits.actionsPerSecond(), limits.actionBurst(), now));
    }
}
