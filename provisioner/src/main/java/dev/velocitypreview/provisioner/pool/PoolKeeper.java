package dev.velocitypreview.provisioner.pool;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

import dev.velocitypreview.core.retry.Backoff;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.PooledMachine;
import dev.velocitypreview.machines.PooledMachineSpec;
import dev.velocitypreview.machines.ProjectFile;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.pool.MachinePool.Place;
import dev.velocitypreview.provisioner.pool.MachinePool.State;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Keeps every pool at its size and its machines honest. Each refill interval, one provisioner at a time (an advisory
 * lock) records the places its pools lack, then makes and warms their machines on worker threads; a pool whose
 * warm-ups keep failing waits longer each time ({@link Backoff}). Each reconcile interval, the pooled machines the
 * driver lists are compared with the places: a machine no place records, or whose pool is no longer configured or
 * shrank, or that is no longer parked (a local machine stopped with its provisioner) is destroyed; a place whose
 * machine is gone, or whose warm-up outlived its provisioner, is forgotten, and so is a claimed place once its session
 * ended (until then it keeps the claim token a resume claims the machine again with). This is the pool's orphan
 * reconciliation: only the provisioner knows what its pools want, so cleanup's leaves pooled machines alone.
 */
final class PoolKeeper implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PoolKeeper.class);
    /** How long a stop waits for a refill or reconcile under way: a few database statements. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Failed warm-ups in a row beyond which the wait stops doubling. */
    private static final int MAX_DOUBLINGS = 5;

    private final WarmPools pools;
    private final MachinePool places;
    private final MachineDriver driver;
    private final ProvisionerSettings.Pool settings;
    private final Map<String, String> environment;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Backoff backoff;
    private final Map<String, AtomicInteger> failuresInARow = new ConcurrentHashMap<>();
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
    /** Places by pool and state, as last counted, for the gauges. */
    private final Map<String, Map<State, AtomicInteger>> counted = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService scheduler;
    private volatile ExecutorService warmers;

    PoolKeeper(WarmPools pools, MachinePool places, MachineDriver driver, ProvisionerSettings.Pool settings,
               Map<String, String> environment, TransactionTemplate transactions, Clock clock, MeterRegistry meters) {
        this.pools = pools;
        this.places = places;
        this.driver = driver;
        this.settings = settings;
        this.environment = Map.copyOf(environment);
        this.transactions = transactions;
        this.clock = clock;
        this.meters = meters;
        this.backoff = new Backoff(settings.refillInterval(), settings.refillInterval().multipliedBy(1L << MAX_DOUBLINGS));
        for (PoolPlan plan : pools.plans()) {
            Map<State, AtomicInteger> byState = new EnumMap<>(State.class);
            for (State state : State.values()) {
                AtomicInteger count = new AtomicInteger();
                byState.put(state, count);
                Gauge.builder("velocity.provisioner.pool.machines", count, AtomicInteger::get)
                        .description("places of a warm pool by state, as last counted")
                        .tag("pool", plan.template().name()).tag("state", state.column()).register(meters);
            }
            counted.put(plan.key(), byState);
            Gauge.builder("velocity.provisioner.pool.size", plan, PoolPlan::machines)
                    .description("ready machines a warm pool keeps").tag("pool", plan.template().name()).register(meters);
        }
    }

    /**
     * Reconciles even with no pool configured: the machines of pools that were turned off are reaped. Refills only
     * when some pool keeps machines.
     */
    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(daemon("pool-keeper"));
        long reconcile = settings.reconcileInterval().toMillis();
        // at once too: the places a stopped provisioner's local machines held are not ready any more
        scheduler.scheduleWithFixedDelay(this::reconcileQuietly, 0, reconcile, TimeUnit.MILLISECONDS);
        if (pools.plans().isEmpty()) {
            return;
        }
        int machines = pools.plans().stream().mapToInt(PoolPlan::machines).sum();
        // warm-ups wait on machines, not on this JVM's CPU; a few at a time keep one host's CPU for the previews
        warmers = Executors.newFixedThreadPool(Math.min(machines, 4), daemon("pool-warmer"));
        pools.onRefillNeeded(() -> {
            ScheduledExecutorService running = scheduler;
            if (running != null && !running.isShutdown()) {
                running.execute(this::refillQuietly);
            }
        });
        scheduler.scheduleWithFixedDelay(this::refillQuietly, 0, settings.refillInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.atInfo().addKeyValue("pools", pools.plans().stream().map(plan -> plan.key() + "=" + plan.machines()).toList())
                .addKeyValue("machine", settings.machine()).log("warm pools on");
    }

    @Override
    public void stop() {
        ScheduledExecutorService running = scheduler;
        ExecutorService warming = warmers;
        scheduler = null;
        warmers = null;
        if (running != null) {
            running.shutdownNow();
            try {
                // a refill or reconcile under way (database work only) ends first: a stopped keeper records no place
                // afterwards, which no warm-up of its own would ever make ready
                if (!running.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.atWarn().addKeyValue("waited", STOP_WAIT).log("pool keeper's refill still running at stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (warming != null) {
            // a warm-up cut short leaves a warming place: the next reconcile of any provisioner forgets it
            warming.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    private void refillQuietly() {
        try {
            refill();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("pools not refilled, next interval tries again");
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("pools not reconciled, next interval tries again");
        }
    }

    /** A place recorded and about to get its machine. */
    private record Warming(UUID slot, PoolPlan plan, String claimToken) {
    }

    /** Records the places the pools lack, under the refill lock, then warms their machines. */
    void refill() {
        Instant now = clock.instant();
        List<Warming> recorded = transactions.execute(status -> {
            List<Warming> inserted = new ArrayList<>();
            if (!places.tryRefillLock()) {
                return inserted;
            }
            for (PoolPlan plan : pools.plans()) {
                Instant wait = notBefore.get(plan.key());
                if (wait != null && now.isBefore(wait)) {
                    continue;
                }
                int missing = plan.machines() - places.unclaimed(plan);
                for (int i = 0; i < missing; i++) {
                    Warming warming = new Warming(UUID.randomUUID(), plan, token());
                    places.insertWarming(warming.slot(), plan, warming.claimToken(), now);
                    inserted.add(warming);
                }
            }
            return inserted;
        });
        count();
        ExecutorService warming = warmers;
        if (warming == null) {
            return;
        }
        for (Warming place : recorded) {
            warming.execute(() -> warm(place));
        }
    }

    private void warm(Warming place) {
        PoolPlan plan = place.plan();
        Timer.Sample sample = Timer.start(meters);
        PooledMachine machine = null;
        try {
            List<ProjectFile> files = plan.template().files().stream()
                    .map(file -> new ProjectFile(file.path(), file.content(), false)).toList();
            machine = driver.createPooled(new PooledMachineSpec(plan.key(), place.slot(), plan.size(),
                    place.claimToken(), files, environment));
            places.recordMachine(place.slot(), machine.id(), machine.region());
            PooledMachine parked = driver.awaitWarm(machine, settings.warmTimeout());
            if (!places.markReady(place.slot(), clock.instant())) {
                LOG.atInfo().addKeyValue("pool", plan.key()).addKeyValue("machine", parked.id())
                        .log("pooled machine warm but its place was forgotten meanwhile, destroyed");
                driver.destroy(parked.id());
                return;
            }
            failuresInARow.remove(plan.key());
            notBefore.remove(plan.key());
            sample.stop(meters.timer("velocity.provisioner.pool.warm.duration", "pool", plan.template().name(),
                    "outcome", "ready"));
            LOG.atInfo().addKeyValue("pool", plan.key()).addKeyValue("machine", parked.id())
                    .addKeyValue("state", parked.state()).log("pooled machine ready");
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            int failures = failuresInARow.computeIfAbsent(plan.key(), key -> new AtomicInteger()).incrementAndGet();
            Duration wait = backoff.delay(Math.min(failures, MAX_DOUBLINGS + 1));
            notBefore.put(plan.key(), clock.instant().plus(wait));
            sample.stop(meters.timer("velocity.provisioner.pool.warm.duration", "pool", plan.template().name(),
                    "outcome", "failed"));
            LOG.atWarn().addKeyValue("pool", plan.key()).addKeyValue("machine", machine == null ? null : machine.id())
                    .addKeyValue("failuresInARow", failures).addKeyValue("nextTryIn", wait)
                    .addKeyValue("error", e.getMessage()).log("pooled machine not warmed, destroyed");
            try {
                if (machine != null) {
                    driver.destroy(machine.id());
                }
                places.forgetUnclaimed(place.slot());
            } catch (RuntimeException cleanup) {
                // the next reconcile finds the machine or the place
                LOG.atWarn().addKeyValue("pool", plan.key()).addKeyValue("error", cleanup.toString())
                        .log("failed pooled machine not cleaned up, reconciliation will");
            }
        } finally {
            countQuietly();
        }
    }

    /** The gauges after a warm-up; a failure (the database, or this provisioner stopping) waits for the next count. */
    private void countQuietly() {
        try {
            count();
        } catch (RuntimeException e) {
            LOG.atDebug().addKeyValue("error", e.toString()).log("pool gauges not counted");
        }
    }

    /** Compares the pooled machines the driver lists with the places; see the class comment. */
    void reconcile() {
        Instant now = clock.instant();
        List<PooledMachine> listed = driver.listPooled();
        // read after the listing: a place recorded before its machine was made is in it whenever the machine is
        Map<UUID, Place> bySlot = new HashMap<>();
        for (Place place : places.all()) {
            bySlot.put(place.slot(), place);
        }
        Map<String, PoolPlan> wanted = new HashMap<>();
        pools.plans().forEach(plan -> wanted.put(plan.key(), plan));
        Set<String> listedIds = new HashSet<>();
        Map<String, List<Place>> readyByPool = new HashMap<>();
        for (PooledMachine machine : listed) {
            listedIds.add(machine.id());
            Place place = bySlot.get(machine.slot());
            if (place != null && place.state() == State.CLAIMED) {
                continue;
            }
            String why = null;
            if (place == null) {
                why = "no place records it";
            } else if (!wanted.containsKey(place.pool()) || !wanted.containsKey(machine.pool())) {
                why = "its pool is no longer configured (template left the pools, or its files changed)";
            } else if (place.state() == State.READY && !parked(machine.state())) {
                why = "it is " + machine.state().name().toLowerCase(java.util.Locale.ROOT) + ", no longer parked";
            } else if (place.state() == State.READY) {
                readyByPool.computeIfAbsent(place.pool(), key -> new ArrayList<>()).add(place);
            }
            if (why != null) {
                reap(machine.id(), place, why);
            }
        }
        readyByPool.forEach((pool, ready) -> {
            int extra = ready.size() - wanted.get(pool).machines();
            // the newest go first: the oldest have been warm longest
            ready.sort(Comparator.comparing(Place::createdAt).reversed());
            for (int i = 0; i < extra; i++) {
                reap(ready.get(i).machineId(), ready.get(i), "its pool shrank");
            }
        });
        for (Place place : bySlot.values()) {
            if (place.state() == State.CLAIMED) {
                if (places.sessionEnded(place.sessionId())) {
                    places.forget(place.slot());
                    LOG.atInfo().addKeyValue("session", place.sessionId()).addKeyValue("machine", place.machineId())
                            .log("place of an ended session forgotten");
                }
            } else if (place.state() == State.READY && !listedIds.contains(place.machineId())) {
                if (places.forgetUnclaimed(place.slot())) {
                    LOG.atInfo().addKeyValue("pool", place.pool()).addKeyValue("machine", place.machineId())
                            .log("pooled machine gone, its place forgotten");
                }
            } else if (place.state() == State.WARMING
                    && place.createdAt().plus(settings.warmTimeout().multipliedBy(2)).isBefore(now)) {
                // its warm-up outlived the provisioner that ran it
                if (place.machineId() != null) {
                    driver.destroy(place.machineId());
                }
                places.forgetUnclaimed(place.slot());
                LOG.atInfo().addKeyValue("pool", place.pool()).addKeyValue("machine", place.machineId())
                        .log("abandoned warm-up forgotten");
            }
        }
        count();
    }

    /** Destroys a pooled machine, once its place (if any) is forgotten: a claim that took it meanwhile keeps it. */
    private void reap(String machineId, Place place, String why) {
        if (place != null && !places.forgetUnclaimed(place.slot())) {
            return;
        }
        driver.destroy(machineId);
        meters.counter("velocity.provisioner.pool.reaped").increment();
        LOG.atInfo().addKeyValue("pool", place == null ? null : place.pool()).addKeyValue("machine", machineId)
                .addKeyValue("reason", why).log("pooled machine reaped");
    }

    /** How drivers keep a warm machine: running (local) or suspended (Fly). */
    private static boolean parked(MachineState state) {
        return state == MachineState.STARTED || state == MachineState.SUSPENDED;
    }

    private void count() {
        Map<String, Map<State, Integer>> now = new HashMap<>();
        for (Place place : places.all()) {
            now.computeIfAbsent(place.pool(), key -> new EnumMap<>(State.class)).merge(place.state(), 1, Integer::sum);
        }
        counted.forEach((pool, byState) -> byState.forEach((state, count) ->
                count.set(now.getOrDefault(pool, Map.of()).getOrDefault(state, 0))));
    }

    private static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
