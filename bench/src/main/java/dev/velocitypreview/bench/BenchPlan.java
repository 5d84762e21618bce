package dev.velocitypreview.bench;

import java.time.Duration;
import java.util.List;

import org.openjdk.jmh.runner.options.TimeValue;

import dev.velocitypreview.bench.consumer.SlowSessionScenario;
import dev.velocitypreview.bench.footprint.RuntimeFootprintScenario;
import dev.velocitypreview.bench.proxy.ProxyOverheadScenario;
import dev.velocitypreview.bench.retention.RetentionHeapScenario;
import dev.velocitypreview.bench.routing.RouteDecisionRun;
import dev.velocitypreview.bench.throughput.ThroughputScenario;
import dev.velocitypreview.bench.liveedit.LiveEditScenario;
import dev.velocitypreview.bench.wake.WakeScenario;
import dev.velocitypreview.bench.warmstart.WarmStartScenario;
import dev.velocitypreview.machines.fly.FlyMachinesSettings;

/**
 * How much of each scenario a run does: {@link #FULL} for the report, {@link #SMOKE} for CI's check that every
 * scenario still runs end to end (small counts, figures not worth reading).
 *
 * @param firstByteConcurrencies  clients side by side in scenarios 1 and 5, a level each
 * @param firstByteSessions       sessions per level at least
 * @param changelogSequential     scenario 2: sessions (three commits each) written one commit at a time
 * @param changelogBurst          scenario 2: sessions written by eight writers at once
 * @param slowSession             scenario 7: one slow session among the sessions of a partition
 * @param retention               scenario 8: live sessions, and sessions retained out meanwhile
 * @param wake                    scenario 9: sessions suspended and woken by a request
 * @param liveEdit                scenario 10: react sessions after the cold one, and writes of its main component
 * @param footprint               scenario 11: starts of the runtime per variant, and whether to start a dev server too
 * @param warmStart               scenario 12: concurrencies, sessions per row and the pool's size
 */
public record BenchPlan(String name, RouteDecisionRun routeDecision, List<Integer> firstByteConcurrencies,
                        int firstByteSessions, ProxyOverheadScenario.Settings proxy, int changelogSequential,
                        int changelogBurst, ThroughputScenario.Settings throughput,
                        SlowSessionScenario.Settings slowSession, RetentionHeapScenario.Settings retention,
                        WakeScenario.Settings wake, LiveEditScenario.Settings liveEdit,
                        RuntimeFootprintScenario.Settings footprint, WarmStartScenario.Settings warmStart) {

    /** Simulated Fly: an answer in 50 ms (a nearby region), a created machine started after 1 s. */
    private static final Duration FLY_API_LATENCY = Duration.ofMillis(50);
    private static final Duration FLY_START_LATENCY = Duration.ofSeconds(1);
    /** A suspended machine started again: Fly says "well under a second"; half of one here. */
    private static final Duration FLY_RESUME_LATENCY = Duration.ofMillis(500);
    /** Limits high enough that the provisioner, not Fly, is the bound. */
    private static final FlyMachinesSettings.RateLimits LIFTED = new FlyMachinesSettings.RateLimits(100, 100, 100, 100);

    public static final BenchPlan FULL = new BenchPlan("full",
            new RouteDecisionRun(100_000, 1, 3, 5, TimeValue.seconds(1)),
            List.of(1, 16, 64), 12,
            new ProxyOverheadScenario.Settings(Duration.ofSeconds(10), 8, Duration.ofSeconds(3), 3, 16, true),
            100, 64,
            new ThroughputScenario.Settings(16, 64, LIFTED, 64, List.of(1, 16, 64), 400, FLY_API_LATENCY,
                    FLY_START_LATENCY, FLY_RESUME_LATENCY),
            new SlowSessionScenario.Settings(16, Duration.ofSeconds(10), Duration.ofMillis(50)),
            new RetentionHeapScenario.Settings(100_000, 1_000_000, 100_000),
            new WakeScenario.Settings(20),
            new LiveEditScenario.Settings(3, 40),
            new RuntimeFootprintScenario.Settings(15, true),
            new WarmStartScenario.Settings(List.of(1, 16), 16, 16));

    public static final BenchPlan SMOKE = new BenchPlan("smoke",
            new RouteDecisionRun(1_000, 0, 1, 1, TimeValue.milliseconds(100)),
            List.of(1, 2), 1,
            new ProxyOverheadScenario.Settings(Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 1, 4, false),
            5, 8,
            new ThroughputScenario.Settings(3, 4, LIFTED, 4, List.of(1, 4), 12, FLY_API_LATENCY, FLY_START_LATENCY,
                    FLY_RESUME_LATENCY),
            new SlowSessionScenario.Settings(4, Duration.ofSeconds(1), Duration.ofMillis(10)),
            new RetentionHeapScenario.Settings(1_000, 5_000, 1_000),
            new WakeScenario.Settings(2),
            new LiveEditScenario.Settings(1, 2),
            new RuntimeFootprintScenario.Settings(2, true),
            new WarmStartScenario.Settings(List.of(1, 2), 1, 2));
}
