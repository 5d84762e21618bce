package dev.velocitypreview.machines.fly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.machines.MachineException;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long FAR = Long.MAX_VALUE / 2;

    @Test
    void aFullBucketServesItsBurstAtOnceThenOneRequestPerInterval() {
        TokenBucket bucket = new TokenBucket(1, 3, 0);

        List<Long> slots = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slots.add(bucket.reserve(0, FAR).orElseThrow());
        }

        assertThat(slots).containsExactly(0L, 0L, 0L, SECOND, 2 * SECOND, 3 * SECOND);
    }

    @Test
    void aQuietSpellRefillsTheBucketButNeverBeyondItsBurst() {
        TokenBucket bucket = new TokenBucket(5, 10, 0);
        for (int i = 0; i < 10; i++) {
            bucket.reserve(0, FAR);
        }

        long later = 60 * SECOND;
        List<Long> slots = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            slots.add(bucket.reserve(later, FAR).orElseThrow() - later);
        }

        assertThat(slots.subList(0, 10)).containsOnly(0L);
        assertThat(slots.subList(10, 12)).containsExactly(SECOND / 5, 2 * SECOND / 5);
    }

    @Test
    void anyWindowHoldsAtMostTheBurstPlusWhatTheRateAllowsInIt() {
        double perSecond = 1;
        int burst = 3;
        TokenBucket bucket = new TokenBucket(perSecond, burst, 0);
        Random random = new Random(42);
        long now = 0;
        List<Long> slots = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            // callers arriving in clumps and lulls
            now += random.nextInt(4) == 0 ? random.nextLong(5 * SECOND) : random.nextLong(SECOND / 10);
            long slot = bucket.reserve(now, FAR).orElseThrow();
            assertThat(slot).isGreaterThanOrEqualTo(now);
            slots.add(slot);
        }

        for (int from = 0; from < slots.size(); from++) {
            for (int to = from; to < slots.size(); to++) {
                long window = slots.get(to) - slots.get(from);
                int requests = to - from + 1;
                assertThat((double) requests).as("requests %d..%d within %d ns", from, to, window)
                        .isLessThanOrEqualTo(burst + window * perSecond / SECOND);
            }
        }
    }

    @Test
    void aCallerWhoseSlotIsPastItsDeadlineIsRefusedAndTakesNoToken() {
        TokenBucket bucket = new TokenBucket(1, 1, 0);
        bucket.reserve(0, FAR);

        OptionalLong refused = bucket.reserve(0, SECOND / 2);
        OptionalLong next = bucket.reserve(0, FAR);

        assertThat(refused).isEmpty();
        assertThat(next).hasValue(SECOND);
    }

    @Test
    void theLimiterPutsAQueuedCallerToSleepOnceUntilItsSlot() {
        MutableTicker ticker = new MutableTicker();
        FlyRateLimiter limiter = new FlyRateLimiter(new FlyMachinesSettings.RateLimits(1, 3, 5, 10), ticker);
        long start = ticker.nanoTime();

        for (int i = 0; i < 5; i++) {
            limiter.acquire(FlyAction.CREATE, null, start + 60 * SECOND);
        }
        for (int i = 0; i < 10; i++) {
            limiter.acquire(FlyAction.GET, "3d8d9e1f2b4c67", start + 60 * SECOND);
        }

        // three creates at once, then one a second; gets have their own, looser bucket
        assertThat(ticker.sleeps()).containsExactly(0L, 0L, 0L, SECOND, SECOND, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
        assertThat(ticker.nanoTime() - start).isEqualTo(2 * SECOND);
    }

    @Test
    void theLimiterRefusesACallerItCannotServeBeforeItsDeadline() {
        MutableTicker ticker = new MutableTicker();
        FlyRateLimiter limiter = new FlyRateLimiter(FlyMachinesSettings.RateLimits.FLY, ticker);
        long deadline = ticker.nanoTime() + SECOND / 2;
        for (int i = 0; i < 3; i++) {
            limiter.acquire(FlyAction.DESTROY, "3d8d9e1f2b4c67", deadline);
        }

        assertThatThrownBy(() -> limiter.acquire(FlyAction.DESTROY, "3d8d9e1f2b4c67", deadline))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessageContaining("destroy");
    }

    @Test
    void anActionLimitedPerMachineQueuesOnlyBehindCallsForTheSameMachine() {
        MutableTicker ticker = new MutableTicker();
        FlyRateLimiter limiter = new FlyRateLimiter(new FlyMachinesSettings.RateLimits(1, 3, 5, 10), ticker);
        long start = ticker.nanoTime();

        for (int machine = 0; machine < 10; machine++) {
            limiter.acquire(FlyAction.METADATA, "e784079b4494" + machine + "0", start + 60 * SECOND);
        }
        for (int i = 0; i < 4; i++) {
            limiter.acquire(FlyAction.METADATA, "e784079b449483", start + 60 * SECOND);
        }

        // ten machines tagged at once; the fourth tag of one machine waits for its own bucket
        assertThat(ticker.sleeps()).containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, SECOND);
        assertThatThrownBy(() -> limiter.acquire(FlyAction.METADATA, null, start + 60 * SECOND))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
