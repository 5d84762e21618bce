package dev.velocitypreview.machines.fly;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import okhttp3.HttpUrl;
import okhttp3.Request;

import dev.velocitypreview.core.access.SessionReplayState;
import dev.velocitypreview.core.config.Constraints;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.machine.FlyMachineId;
import dev.velocitypreview.core.retry.Backoff;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.PooledMachine;
import dev.velocitypreview.machines.PooledMachineSpec;
import dev.velocitypreview.machines.RuntimeBundle;
import dev.velocitypreview.machines.RuntimeClaimClient;
import dev.velocitypreview.machines.RuntimeHealthProbe;

/**
 * Previews as Fly Machines, through the Machines API.
 *
 * <p>Each machine carries its session in {@code config.metadata} ({@code session_id}, with
 * {@code project_id}, {@code user_id}, {@code attempt_id} and {@code managed_by}), and that tag is
 * how the driver finds it again: Fly has no idempotency key for creates, so {@link #create} looks the
 * session's machine up before creating one, and again after any failure that may have created one
 * anyway (timeout, 408, 5xx); Fly's list lags behind its writes, so that second lookup is repeated
 * briefly before a create is sent again.
 *
 * <p>The runtime gets the project as a base64 bundle in {@value #BUNDLE_ENV}, with its other options
 * ({@code PREVIEW_SESSION_ID}, {@code PREVIEW_PORT}, {@code PREVIEW_BIND}, {@code PREVIEW_WORK_DIR})
 * beside it. A project whose bundle is over {@link FlyMachinesSettings.Runtime#maxBundleBytes()} is refused.
 * With a replay secret configured, {@code PREVIEW_REPLAY_STATE} is the session's own state derived from it
 * ({@link SessionReplayState}), never the secret: the machine runs untrusted code, which can read its runtime's
 * environment, and a state it finds opens no machine but its own.
 *
 * <p>Warm pools: a pooled machine ({@link #createPooled}) is tagged {@code pool}, {@code pool_slot} and
 * {@code managed_by}, and no {@code session_id}; its runtime gets {@value #POOL_TOKEN_ENV} and the pool's bundle
 * (the template's files), no session, no project and no replay state. Find-or-create goes by {@code pool_slot}, with
 * the same lookups after an ambiguous failure as a session's create. {@link #awaitWarm} waits for its runtime's health,
 * then suspends it. {@link #claim} tags it {@code session_id} ({@code POST /{id}/metadata/session_id}), resumes it and
 * sends its runtime the claim (with the session's replay state); from then on the session's lookups find it and
 * {@link #list} lists it, while {@link #listPooled} lists the machines with a {@code pool} and no {@code session_id}.
 *
 * <p>Failures: 408, 429, 5xx and I/O errors are retried with exponential backoff and jitter (or after
 * Fly's {@code Retry-After}) until {@link FlyMachinesSettings.Retry#maxAttempts()} or the call's
 * deadline, then surface as a transient {@link MachineException}; {@code insufficient_capacity} moves a
 * create to the next region; other refusals (401, 403, 422, ...) are permanent and carry Fly's message.
 * A client-side rate limiter keeps every call inside Fly's limits.
 *
 * <p>Thread-safe; every call is bounded by {@link FlyMachinesSettings.Timeouts}.
 */
public final class FlyMachinesDriver implements MachineDriver {

    /**
     * The longest base64 bundle that fits one environment string: Linux refuses a {@code NAME=value}
     * longer than MAX_ARG_STRLEN (32 pages, 131072 bytes, NUL included) in execve(2).
     */
    public static final int MAX_BUNDLE_ENV_BYTES = 131_072 - 19 - 1; // 19 = "PREVIEW_BUNDLE_B64=".length()

    static final String BUNDLE_ENV = "PREVIEW_BUNDLE_B64";
    static final String REPLAY_STATE_ENV = "PREVIEW_REPLAY_STATE";
    static final String SESSION_ID = "session_id";
    static final String PROJECT_ID = "project_id";
    static final String USER_ID = "user_id";
    static final String ATTEMPT_ID = "attempt_id";
    static final String MANAGED_BY = "managed_by";
    static final String POOL = "pool";
    static final String POOL_SLOT = "pool_slot";
    /** The pooled runtime's claim token: its {@code --pool-token} option, as its environment variable. */
    static final String POOL_TOKEN_ENV = "PREVIEW_POOL_TOKEN";
    /** The {@code managed_by} tag: the machines {@link #list} reports, in an app that may hold others. */
    static final String MANAGER = "velocity-preview";

    private static final Logger LOG = LoggerFactory.getLogger(FlyMachinesDriver.class);
    private static final TypeReference<List<FlyMachine>> MACHINE_LIST = new TypeReference<>() {
    };
    private static final JsonMapper JSON = FlyApi.JSON;

    private final FlyMachinesSettings settings;
    private final FlyApi api;
    private final FlyRateLimiter limiter;
    private final Ticker ticker;
    private final RuntimeHealthProbe health;
    private final RuntimeClaimClient claims;
    /** For log lines about calls that only name a machine. */
    private final Map<String, UUID> sessionOfMachine = new ConcurrentHashMap<>();

    public FlyMachinesDriver(FlyMachinesSettings settings) {
        this(settings, Ticker.SYSTEM);
    }

    FlyMachinesDriver(FlyMachinesSettings settings, Ticker ticker) {
        this.settings = Constraints.check(settings);
        this.ticker = ticker;
        this.api = new FlyApi(settings);
        this.limiter = new FlyRateLimiter(settings.rateLimits(), ticker);
        this.health = new RuntimeHealthProbe(settings.timeouts().healthRequest(), settings.timeouts().healthPollInterval());
        // a claimed machine was warm before it was parked: a 503 is a resume still settling, so ask again soon
        Duration poll = settings.timeouts().healthPollInterval();
        this.claims = new RuntimeClaimClient(settings.timeouts().healthRequest(), new Backoff(poll, poll.multipliedBy(8)));
    }

    @Override
    public Optional<Machine> findBySession(UUID sessionId) {
        return lookup(sessionId, deadline(settings.timeouts().operation())).map(this::toMachine);
    }

    @Override
    public Machine create(MachineSpec spec) {
        UUID session = spec.sessionId();
        String bundle = bundle(spec);
        long deadline = deadline(settings.timeouts().create());
        Optional<FlyMachine> existing = lookup(session, deadline);
        if (existing.isPresent() && existing.get().platformState() == MachineState.FAILED) {
            // a machine Fly could not launch never serves; a fresh one may
            LOG.atWarn().addKeyValue("session", session).addKeyValue("machine", existing.get().id())
                    .addKeyValue("attempt", spec.attemptId()).log("failed machine of the session destroyed before creating another");
            destroy(existing.get().id());
        } else if (existing.isPresent()) {
            return reuse(existing.get(), spec, deadline);
        }
        LongFunction<Optional<FlyMachine>> find = until -> lookup(session, until);
        for (String region : settings.regions()) {
            Placement placement = new Placement("create a machine for session " + session + " in " + region, session,
                    createBody(region, sessionEnv(spec, bundle), sessionMetadata(spec), spec.size()), find);
            Optional<FlyMachine> created = createIn(placement, deadline);
            if (created.isPresent()) {
                FlyMachine machine = created.get();
                LOG.atInfo().addKeyValue("session", session).addKeyValue("machine", machine.id())
                        .addKeyValue("region", machine.region()).addKeyValue("attempt", spec.attemptId())
                        .addKeyValue("files", spec.files().size()).log("machine created");
                return toMachine(machine);
            }
        }
        throw new MachineException("no capacity for the machine of session " + session + " in any region of "
                + settings.regions(), true);
    }

    @Override
    public Machine awaitReady(Machine machine, Duration timeout) {
        String id = requireId(machine.id());
        UUID session = machine.sessionId();
        long deadline = ticker.nanoTime() + timeout.toNanos();
        if (machine.state() == MachineState.STOPPED || machine.state() == MachineState.SUSPENDED) {
            requestStart(id, session, deadline);
        }
        awaitState(id, "started", "of session " + session, session, timeout, deadline);
        URI url = runtimeUrl(id);
        long left = deadline - ticker.nanoTime();
        if (left <= 0) {
            throw new MachineException("machine " + id + " of session " + session + " was not ready within " + timeout, false);
        }
        health.awaitReady(id, () -> url, Duration.ofNanos(left));
        LOG.atInfo().addKeyValue("session", session).addKeyValue("machine", id).addKeyValue("url", url)
                .log("machine ready");
        return new Machine(id, session, MachineState.STARTED, url.toString(), machine.region(), machine.createdAt());
    }

    /** Asks Fly to start the machine and returns at once; {@link #awaitReady} waits for it. */
    @Override
    public Machine start(String machineId) {
        String id = requireId(machineId);
        long deadline = deadline(settings.timeouts().operation());
        requestStart(id, sessionOfMachine.get(id), deadline);
        return fetch(id, deadline).map(this::toMachine)
                .orElseThrow(() -> new MachineException("machine " + id + " was destroyed while it started", false));
    }

    /** SIGINT, then Fly kills the runtime after {@link FlyMachinesSettings.Timeouts#stopGrace()}. */
    @Override
    public void stop(String machineId) {
        String id = requireId(machineId);
        UUID session = sessionOfMachine.get(id);
        StopBody body = new StopBody("SIGINT", settings.timeouts().stopGrace().toSeconds() + "s");
        FlyReply reply = call(api.post(api.machineUrl(id, "stop"), body, FlyApi.tag(FlyAction.STOP, session, id)),
                deadline(settings.timeouts().operation()), false);
        requireSuccess(reply, "stop machine " + id);
        LOG.atInfo().addKeyValue("session", session).addKeyValue("machine", id).log("machine stopped");
    }

    /** Suspends the machine (its memory is kept, so it resumes in a few hundred ms); needs at most 2 GB of memory. */
    @Override
    public void suspend(String machineId) {
        String id = requireId(machineId);
        UUID session = sessionOfMachine.get(id);
        FlyReply reply = call(api.post(api.machineUrl(id, "suspend"), null, FlyApi.tag(FlyAction.SUSPEND, session, id)),
                deadline(settings.timeouts().operation()), false);
        requireSuccess(reply, "suspend machine " + id);
        LOG.atInfo().addKeyValue("session", session).addKeyValue("machine", id).log("machine suspended");
    }

    @Override
    public void destroy(String machineId) {
        if (!FlyMachineId.isValid(machineId)) {
            // a machine of another driver (local-...) or garbage: nothing of Fly's, and nothing that goes into a URL
            LOG.atDebug().addKeyValue("machine", machineId == null ? null : SessionId.quote(machineId))
                    .log("not a fly machine id, nothing to destroy");
            return;
        }
        UUID session = sessionOfMachine.get(machineId);
        HttpUrl url = api.machineUrl(machineId).newBuilder().addQueryParameter("force", "true").build();
        FlyReply reply = call(api.delete(url, FlyApi.tag(FlyAction.DESTROY, session, machineId)),
                deadline(settings.timeouts().operation()), false);
        if (reply.code() != 404) {
            requireSuccess(reply, "destroy machine " + machineId);
        }
        sessionOfMachine.remove(machineId);
        LOG.atInfo().addKeyValue("session", session).addKeyValue("machine", machineId)
                .addKeyValue("alreadyGone", reply.code() == 404).log("machine destroyed");
    }

    /** The live machines tagged {@code managed_by=velocity-preview} and with a {@code session_id} in the app. */
    @Override
    public List<Machine> list() {
        List<Machine> machines = new ArrayList<>();
        for (FlyMachine machine : managed()) {
            if (sessionOf(machine) != null) {
                machines.add(toMachine(machine));
            }
        }
        return machines;
    }

    /** The live machines tagged {@code managed_by=velocity-preview} with a {@code pool} and no {@code session_id}. */
    @Override
    public List<PooledMachine> listPooled() {
        List<PooledMachine> machines = new ArrayList<>();
        for (FlyMachine machine : managed()) {
            if (sessionOf(machine) == null && slotOf(machine) != null && machine.metadata(POOL) != null) {
                machines.add(toPooled(machine));
            }
        }
        return machines;
    }

    /**
     * Creates the machine of a pool's slot, or returns the live machine tagged with that slot (started again if it was
     * stopped; a machine Fly could not launch is destroyed and replaced; a machine of the slot that a session claimed
     * meanwhile is that session's, and the slot gets a new one).
     */
    @Override
    public PooledMachine createPooled(PooledMachineSpec spec) {
        UUID slot = spec.slot();
        String bundle = pooledBundle(spec);
        long deadline = deadline(settings.timeouts().create());
        Optional<FlyMachine> existing = lookupSlot(slot, deadline);
        if (existing.isPresent() && existing.get().platformState() == MachineState.FAILED) {
            LOG.atWarn().addKeyValue("pool", spec.pool()).addKeyValue("slot", slot).addKeyValue("machine", existing.get().id())
                    .log("failed pooled machine destroyed before creating another");
            destroy(existing.get().id());
        } else if (existing.isPresent()) {
            FlyMachine found = existing.get();
            LOG.atInfo().addKeyValue("pool", spec.pool()).addKeyValue("slot", slot).addKeyValue("machine", found.id())
                    .addKeyValue("state", found.state()).log("pooled machine already exists, not created again");
            if (found.platformState() != MachineState.STOPPED) {
                return toPooled(found);
            }
            requestStart(found.id(), null, deadline);
            return fetch(found.id(), deadline).map(this::toPooled).orElseThrow(() ->
                    new MachineException("pooled machine " + found.id() + " was destroyed while it started", false));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(POOL, spec.pool());
        metadata.put(POOL_SLOT, slot.toString());
        metadata.put(MANAGED_BY, MANAGER);
        LongFunction<Optional<FlyMachine>> find = until -> lookupSlot(slot, until);
        for (String region : settings.regions()) {
            Placement placement = new Placement("create pooled machine " + slot + " of pool " + spec.pool() + " in " + region,
                    null, createBody(region, pooledEnv(spec, bundle), metadata, spec.size()), find);
            Optional<FlyMachine> created = createIn(placement, deadline);
            if (created.isPresent()) {
                FlyMachine machine = created.get();
                LOG.atInfo().addKeyValue("pool", spec.pool()).addKeyValue("slot", slot).addKeyValue("machine", machine.id())
                        .addKeyValue("region", machine.region()).addKeyValue("files", spec.files().size())
                        .log("pooled machine created");
                return toPooled(machine);
            }
        }
        throw new MachineException("no capacity for pooled machine " + slot + " of pool " + spec.pool()
                + " in any region of " + settings.regions(), true);
    }

    /**
     * Waits for the machine to start and its runtime to be warm, then suspends it and waits until Fly reports it
     * {@code suspended}, so that a claim resumes it with its dev server running. A machine suspended already is
     * returned as it is (a create repeated after it was parked); a stopped one is started first.
     */
    @Override
    public PooledMachine awaitWarm(PooledMachine machine, Duration timeout) {
        String id = requireId(machine.id());
        String label = "of pool " + machine.pool() + " (slot " + machine.slot() + ")";
        if (machine.state() == MachineState.SUSPENDED) {
            return machine;
        }
        long deadline = ticker.nanoTime() + timeout.toNanos();
        if (machine.state() == MachineState.STOPPED) {
            requestStart(id, null, deadline);
        }
        awaitState(id, "started", label, null, timeout, deadline);
        URI url = runtimeUrl(id);
        long left = deadline - ticker.nanoTime();
        if (left <= 0) {
            throw new MachineException("machine " + id + " " + label + " was not warm within " + timeout, false);
        }
        health.awaitReady(id, () -> url, Duration.ofNanos(left));
        FlyReply reply = call(api.post(api.machineUrl(id, "suspend"), null, FlyApi.tag(FlyAction.SUSPEND, null, id)),
                deadline, false);
        requireSuccess(reply, "suspend machine " + id);
        awaitState(id, "suspended", label, null, timeout, deadline);
        LOG.atInfo().addKeyValue("pool", machine.pool()).addKeyValue("slot", machine.slot()).addKeyValue("machine", id)
                .log("pooled machine warm and suspended");
        return new PooledMachine(id, machine.pool(), machine.slot(), MachineState.SUSPENDED, null, machine.region(),
                machine.createdAt());
    }

    /**
     * Tags the machine {@code session_id} (unless it carries that session's tag already), resumes it, waits until it
     * started and sends its runtime the claim, with the session's replay state when a replay secret is configured.
     */
    @Override
    public Machine claim(String machineId, MachineClaim claim, String claimToken, Duration timeout) {
        String id = requireId(machineId);
        UUID session = claim.sessionId();
        long deadline = ticker.nanoTime() + timeout.toNanos();
        FlyMachine machine = fetch(id, deadline).filter(FlyMachine::isLive).orElseThrow(() ->
                new MachineException("pooled machine " + id + " is gone: session " + session + " cannot claim it", false));
        UUID claimedBy = sessionOf(machine);
        if (claimedBy != null && !claimedBy.equals(session)) {
            throw new MachineException("machine " + id + " was claimed by another session: session " + session
                    + " cannot claim it", false);
        }
        if (claimedBy == null && (machine.metadata(POOL) == null || slotOf(machine) == null)) {
            throw new MachineException("machine " + id + " is not a pooled machine: session " + session + " cannot claim it", false);
        }
        if (claimedBy == null) {
            // from here on the session's lookups (metadata.session_id) find it, and no listing counts it pooled
            FlyReply tagged = call(api.post(api.machineUrl(id, "metadata", SESSION_ID), new MetadataValue(session.toString()),
                    FlyApi.tag(FlyAction.METADATA, session, id)), deadline, false);
            requireSuccess(tagged, "tag machine " + id + " with session " + session);
        }
        sessionOfMachine.put(id, session);
        MachineState state = machine.platformState();
        if (state == MachineState.SUSPENDED || state == MachineState.STOPPED) {
            requestStart(id, session, deadline);
        }
        awaitState(id, "started", "of session " + session, session, timeout, deadline);
        URI url = runtimeUrl(id);
        long left = deadline - ticker.nanoTime();
        if (left <= 0) {
            throw new MachineException("machine " + id + " of session " + session + " did not take its claim within " + timeout, true);
        }
        MachineClaim sent = settings.runtime().replaySecret() == null ? claim
                : claim.withReplayState(SessionReplayState.of(settings.runtime().replaySecret().value(), session));
        RuntimeClaimClient.Claimed claimed = claims.claim(id, url, sent, claimToken, Duration.ofNanos(left));
        LOG.atInfo().addKeyValue("session", session).addKeyValue("machine", id).addKeyValue("pool", machine.metadata(POOL))
                .addKeyValue("written", claimed.written()).addKeyValue("deleted", claimed.deleted())
                .addKeyValue("outcome", claimed.outcome()).log("pooled machine claimed");
        return new Machine(id, session, MachineState.STARTED, url.toString(), machine.region(), machine.createdAtInstant());
    }

    @Override
    public void close() {
        api.close();
    }

    /** Every live machine of the app tagged {@code managed_by=velocity-preview}. */
    private List<FlyMachine> managed() {
        HttpUrl url = api.machinesUrl().addQueryParameter("metadata." + MANAGED_BY, MANAGER).build();
        FlyReply reply = call(api.get(url, FlyApi.tag(FlyAction.LIST, null, null)),
                deadline(settings.timeouts().operation()), false);
        requireSuccess(reply, "list machines");
        return machines(reply).stream().filter(FlyMachine::isLive).toList();
    }

    /**
     * One create, for a session or a pool's slot.
     *
     * @param what   for messages: "create a machine for session ... in ..."
     * @param session the session, for log lines; null for a pooled machine
     * @param find   the lookup that finds what an ambiguous create may have made, until a deadline
     */
    private record Placement(String what, @Nullable UUID session, CreateMachineBody body,
                             LongFunction<Optional<FlyMachine>> find) {
    }

    private Machine reuse(FlyMachine existing, MachineSpec spec, long deadline) {
        LOG.atInfo().addKeyValue("session", spec.sessionId()).addKeyValue("machine", existing.id())
                .addKeyValue("state", existing.state()).addKeyValue("attempt", spec.attemptId())
                .log("machine already exists, not created again");
        MachineState state = existing.platformState();
        if (state != MachineState.STOPPED && state != MachineState.SUSPENDED) {
            return toMachine(existing);
        }
        requestStart(existing.id(), spec.sessionId(), deadline);
        return fetch(existing.id(), deadline).map(this::toMachine).orElseThrow(() ->
                new MachineException("machine " + existing.id() + " of session " + spec.sessionId()
                        + " was destroyed while it started", false));
    }

    /**
     * Sends the placement's create.
     *
     * @return the new machine (or the one an earlier ambiguous attempt created); empty when the region is out of capacity
     */
    private Optional<FlyMachine> createIn(Placement placement, long deadline) {
        UUID session = placement.session();
        Request request = api.post(api.machinesUrl().build(), placement.body(), FlyApi.tag(FlyAction.CREATE, session, null));
        String what = placement.what();
        for (int attempt = 1; ; attempt++) {
            limiter.acquire(FlyAction.CREATE, null, deadline);
            FlyReply reply = null;
            String failure;
            try {
                reply = exchange(request);
                if (reply.isSuccess()) {
                    return Optional.of(machine(reply));
                }
                if (reply.flyStatus(JSON).filter(FlyReply.INSUFFICIENT_CAPACITY::equals).isPresent()) {
                    LOG.atWarn().addKeyValue("session", session).addKeyValue("region", placement.body().region())
                            .addKeyValue("call", what).addKeyValue("error", reply.problem(JSON))
                            .log("region out of capacity, trying the next one");
                    return Optional.empty();
                }
                if (!reply.isTransient()) {
                    throw new MachineException("Fly refused to " + what + ": " + reply.problem(JSON), false);
                }
                failure = reply.problem(JSON);
            } catch (IOException e) {
                failure = e.toString();
            }
            if (reply == null || reply.isAmbiguous()) {
                // the create may have gone through although its answer did not: look before creating again
                Optional<FlyMachine> made = confirm(placement.find(), deadline);
                if (made.isPresent()) {
                    LOG.atInfo().addKeyValue("session", session).addKeyValue("machine", made.get().id())
                            .addKeyValue("call", what).addKeyValue("error", failure)
                            .log("create failed ambiguously but the machine exists");
                    return made;
                }
            }
            pause(attempt, reply, deadline, what, failure, session);
        }
    }

    /** Looks for the machine a create may have made a few times, as Fly's list can lag behind a create. */
    private Optional<FlyMachine> confirm(LongFunction<Optional<FlyMachine>> find, long deadline) {
        for (int look = 1; ; look++) {
            Optional<FlyMachine> found = find.apply(deadline);
            if (found.isPresent() || look >= settings.retry().lookupAttempts()) {
                return found;
            }
            Duration interval = settings.retry().lookupInterval();
            if (ticker.nanoTime() + interval.toNanos() - deadline > 0) {
                return Optional.empty();
            }
            sleep(interval);
        }
    }

    /** The newest live machine tagged with the session. */
    private Optional<FlyMachine> lookup(UUID session, long deadline) {
        HttpUrl url = api.machinesUrl().addQueryParameter("metadata." + SESSION_ID, session.toString()).build();
        FlyReply reply = call(api.get(url, FlyApi.tag(FlyAction.LIST, session, null)), deadline, false);
        requireSuccess(reply, "look up the machine of session " + session);
        return machines(reply).stream()
                .filter(FlyMachine::isLive)
                .filter(machine -> session.equals(sessionOf(machine)))
                .max(Comparator.comparing(machine -> machine.createdAt() == null ? "" : machine.createdAt()));
    }

    /** The newest live machine tagged with the pool's slot that no session has claimed. */
    private Optional<FlyMachine> lookupSlot(UUID slot, long deadline) {
        HttpUrl url = api.machinesUrl().addQueryParameter("metadata." + POOL_SLOT, slot.toString()).build();
        FlyReply reply = call(api.get(url, FlyApi.tag(FlyAction.LIST, null, null)), deadline, false);
        requireSuccess(reply, "look up pooled machine " + slot);
        return machines(reply).stream()
                .filter(FlyMachine::isLive)
                .filter(machine -> slot.equals(slotOf(machine)) && sessionOf(machine) == null)
                .max(Comparator.comparing(machine -> machine.createdAt() == null ? "" : machine.createdAt()));
    }

    private Optional<FlyMachine> fetch(String id, long deadline) {
        FlyReply reply = call(api.get(api.machineUrl(id), FlyApi.tag(FlyAction.GET, sessionOfMachine.get(id), id)), deadline, false);
        if (reply.code() == 404) {
            return Optional.empty();
        }
        requireSuccess(reply, "get machine " + id);
        return Optional.of(machine(reply));
    }

    private void requestStart(String id, @Nullable UUID session, long deadline) {
        FlyReply reply = call(api.post(api.machineUrl(id, "start"), null, FlyApi.tag(FlyAction.START, session, id)), deadline, false);
        requireSuccess(reply, "start machine " + id);
        LOG.atInfo().addKeyValue("session", session).addKeyValue("machine", id).log("machine start requested");
    }

    /**
     * Asks Fly to wait for {@code state} ({@code started}, {@code suspended}) in slices of at most 60 s; a 408 only
     * means "not yet".
     *
     * @param label for messages: whose machine it is ("of session ...")
     */
    private void awaitState(String id, String state, String label, @Nullable UUID session, Duration timeout, long deadline) {
        long slice = settings.timeouts().waitSlice().toSeconds();
        while (true) {
            long seconds = Math.min(slice, (deadline - ticker.nanoTime()) / 1_000_000_000L);
            if (seconds < 1) {
                throw new MachineException("machine " + id + " " + label + " did not " + verb(state) + " within " + timeout, false);
            }
            HttpUrl url = api.machineUrl(id, "wait").newBuilder()
                    .addQueryParameter("state", state)
                    .addQueryParameter("timeout", Long.toString(seconds))
                    .build();
            FlyReply reply = call(api.get(url, FlyApi.tag(FlyAction.WAIT, session, id)), deadline, true);
            if (reply.isSuccess()) {
                return;
            }
            if (reply.code() != 408) {
                throw new MachineException("machine " + id + " " + label + " will not " + verb(state) + ": " + reply.problem(JSON), false);
            }
        }
    }

    private static String verb(String state) {
        return "suspended".equals(state) ? "suspend" : "start";
    }

    /**
     * Sends {@code request}, again after transient failures, until Fly gives a real answer.
     *
     * @param timeoutIsAnswer whether a 408 is an answer (a {@code /wait} that ran out) rather than a failure
     * @return Fly's answer: a success, or a failure trying again will not fix
     * @throws MachineException transient, when attempts or time ran out
     */
    private FlyReply call(Request request, long deadline, boolean timeoutIsAnswer) {
        CallTag tag = request.tag(CallTag.class);
        FlyAction action = tag == null ? FlyAction.GET : tag.action();
        String what = action.logName() + " " + request.url().encodedPath();
        for (int attempt = 1; ; attempt++) {
            limiter.acquire(action, tag == null ? null : tag.machine(), deadline);
            FlyReply reply = null;
            String failure;
            try {
                reply = exchange(request);
                if (!reply.isTransient() || (timeoutIsAnswer && reply.code() == 408)) {
                    return reply;
                }
                failure = reply.problem(JSON);
            } catch (IOException e) {
                failure = e.toString();
            }
            pause(attempt, reply, deadline, what, failure, tag == null ? null : tag.session());
        }
    }

    /** One exchange; an interrupted thread stops here instead of being taken for a network failure. */
    private FlyReply exchange(Request request) throws IOException {
        try {
            return api.exchange(request);
        } catch (InterruptedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new MachineException("interrupted while calling Fly: " + request.method() + " " + request.url().encodedPath(), true, e);
            }
            throw e;
        }
    }

    /**
     * Waits before the next attempt: Fly's {@code Retry-After} when it sent one, else exponential
     * backoff with jitter.
     *
     * @throws MachineException transient, when this was the last attempt or the pause would pass the deadline
     */
    private void pause(int attempt, @Nullable FlyReply reply, long deadline, String what, String failure, @Nullable UUID session) {
        if (attempt >= settings.retry().maxAttempts()) {
            throw new MachineException("cannot " + what + " after " + attempt + " attempts: " + failure, true);
        }
        Optional<Duration> asked = reply == null ? Optional.empty() : reply.retryAfterDelay(Instant.now());
        Duration delay = asked.map(FlyMachinesDriver::withJitter).orElseGet(() -> settings.retry().backoff().delay(attempt));
        if (ticker.nanoTime() + delay.toNanos() - deadline > 0) {
            throw new MachineException("cannot " + what + " in time: " + failure
                    + asked.map(d -> "; Fly asked to try again after " + d).orElse(""), true);
        }
        LOG.atWarn().addKeyValue("session", session).addKeyValue("call", what).addKeyValue("attempt", attempt)
                .addKeyValue("retryIn", delay).addKeyValue("error", failure).log("fly api call failed, trying again");
        sleep(delay);
    }

    /** Fly's own delay, plus up to a tenth more, so that callers it told the same thing do not come back together. */
    private static Duration withJitter(Duration asked) {
        return asked.plusNanos(ThreadLocalRandom.current().nextLong(asked.toNanos() / 10 + 1));
    }

    private void sleep(Duration delay) {
        try {
            ticker.sleep(delay.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineException("interrupted while waiting to call Fly again", true, e);
        }
    }

    private static void requireSuccess(FlyReply reply, String what) {
        if (!reply.isSuccess()) {
            throw new MachineException("Fly refused to " + what + ": " + reply.problem(JSON), reply.isTransient());
        }
    }

    private Map<String, String> sessionEnv(MachineSpec spec, String bundle) {
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        env.put("PREVIEW_SESSION_ID", spec.sessionId().toString());
        env.put("PREVIEW_PROJECT_ID", spec.projectId().toString());
        runtimeEnv(env, bundle);
        FlyMachinesSettings.Runtime runtime = settings.runtime();
        if (runtime.replaySecret() != null) {
            env.put(REPLAY_STATE_ENV, SessionReplayState.of(runtime.replaySecret().value(), spec.sessionId()));
        }
        return env;
    }

    /** No session, no project, no replay state: the claim brings those. */
    private Map<String, String> pooledEnv(PooledMachineSpec spec, String bundle) {
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        env.put(POOL_TOKEN_ENV, spec.claimToken());
        runtimeEnv(env, bundle);
        return env;
    }

    private void runtimeEnv(Map<String, String> env, String bundle) {
        FlyMachinesSettings.Runtime runtime = settings.runtime();
        env.put("PREVIEW_PORT", Integer.toString(settings.service().internalPort()));
        env.put("PREVIEW_BIND", runtime.bind());
        env.put("PREVIEW_WORK_DIR", runtime.workDir());
        env.put(BUNDLE_ENV, bundle);
    }

    private static Map<String, String> sessionMetadata(MachineSpec spec) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(SESSION_ID, spec.sessionId().toString());
        metadata.put(PROJECT_ID, spec.projectId().toString());
        if (spec.userId() != null) {
            metadata.put(USER_ID, spec.userId());
        }
        metadata.put(ATTEMPT_ID, spec.attemptId());
        metadata.put(MANAGED_BY, MANAGER);
        return metadata;
    }

    private CreateMachineBody createBody(String region, Map<String, String> env, Map<String, String> metadata,
                                         MachineSize size) {
        FlyMachinesSettings.Service service = settings.service();
        // the size the session's tier (or the pool) granted: the session API's tier table decides, the driver has none
        CreateMachineBody.Guest guest = new CreateMachineBody.Guest(size.cpuKind(), size.cpus(), size.memoryMb());
        FlyMachinesSettings.Restart restart = settings.restart();
        return new CreateMachineBody(region, new CreateMachineBody.Config(
                settings.image(),
                env,
                metadata,
                guest,
                List.of(new CreateMachineBody.Service("tcp", service.internalPort(), service.autostart(),
                        service.autostop().wireName(), List.of(
                                new CreateMachineBody.Port(80, List.of("http")),
                                new CreateMachineBody.Port(443, List.of("tls", "http"))))),
                new CreateMachineBody.Restart(restart.policy().wireName(),
                        restart.policy() == FlyMachinesSettings.RestartPolicy.ON_FAILURE ? restart.maxRetries() : null)));
    }

    /**
     * The project as the runtime's bundle ({@code {"sessionId","projectId","files":[...]}}), base64.
     *
     * @throws MachineException permanent, when it is over the size one environment variable can carry
     */
    private String bundle(MachineSpec spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RuntimeBundle.write(spec, out);
        return encodeBundle(out, spec.files().size(), "the project of session " + spec.sessionId());
    }

    /** The template's files as a pooled runtime's bundle ({@code {"pool","files":[...]}}), base64. */
    private String pooledBundle(PooledMachineSpec spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RuntimeBundle.writePooled(spec, out);
        return encodeBundle(out, spec.files().size(), "the template of pool " + spec.pool());
    }

    private String encodeBundle(ByteArrayOutputStream out, int entries, String what) {
        String encoded = Base64.getEncoder().encodeToString(out.toByteArray());
        int max = settings.runtime().maxBundleBytes();
        if (encoded.length() > max) {
            throw new MachineException(what + " is too large for a Fly preview: " + entries + " entries make a "
                    + encoded.length() + "-byte bundle in " + BUNDLE_ENV + ", over the limit of " + max + " bytes", false);
        }
        return encoded;
    }

    private URI runtimeUrl(String machineId) {
        return URI.create(settings.runtime().healthUrlTemplate()
                .replace("{machine}", machineId)
                .replace("{app}", settings.app())
                .replace("{port}", Integer.toString(settings.service().internalPort())));
    }

    private Machine toMachine(FlyMachine machine) {
        // the id goes into the session row, and from there into URLs and the router's fly-replay header
        requireId(machine.id());
        UUID session = sessionOf(machine);
        if (session == null) {
            throw new MachineException("machine " + machine.id() + " carries no session_id in its metadata: not a preview machine", false);
        }
        if (machine.isLive()) {
            sessionOfMachine.put(machine.id(), session);
        } else {
            sessionOfMachine.remove(machine.id());
        }
        MachineState state = machine.platformState();
        String url = state == MachineState.STARTED ? runtimeUrl(machine.id()).toString() : null;
        return new Machine(machine.id(), session, state, url, machine.region(), machine.createdAtInstant());
    }

    private PooledMachine toPooled(FlyMachine machine) {
        requireId(machine.id());
        UUID slot = slotOf(machine);
        String pool = machine.metadata(POOL);
        if (slot == null || pool == null) {
            throw new MachineException("machine " + machine.id() + " carries no pool and pool_slot in its metadata: not a pooled machine", false);
        }
        MachineState state = machine.platformState();
        String url = state == MachineState.STARTED ? runtimeUrl(machine.id()).toString() : null;
        return new PooledMachine(machine.id(), pool, slot, state, url, machine.region(), machine.createdAtInstant());
    }

    private static @Nullable UUID sessionOf(FlyMachine machine) {
        return uuidTag(machine, SESSION_ID);
    }

    private static @Nullable UUID slotOf(FlyMachine machine) {
        return uuidTag(machine, POOL_SLOT);
    }

    private static @Nullable UUID uuidTag(FlyMachine machine, String key) {
        String raw = machine.metadata(key);
        if (raw == null) {
            return null;
        }
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static FlyMachine machine(FlyReply reply) {
        try {
            return JSON.readValue(reply.body(), FlyMachine.class);
        } catch (JacksonException e) {
            throw new MachineException("Fly answered with a machine this driver cannot read: " + e.getOriginalMessage(), true, e);
        }
    }

    private static List<FlyMachine> machines(FlyReply reply) {
        try {
            List<FlyMachine> machines = JSON.readValue(reply.body(), MACHINE_LIST);
            return machines == null ? List.of() : machines;
        } catch (JacksonException e) {
            throw new MachineException("Fly answered with a machine list this driver cannot read: " + e.getOriginalMessage(), true, e);
        }
    }

    /** Ids go into API paths only when they have Fly's shape. */
    private static String requireId(String machineId) {
        if (!FlyMachineId.isValid(machineId)) {
            throw new MachineException("not a Fly machine id (" + FlyMachineId.SHAPE + "): "
                    + (machineId == null ? "null" : SessionId.quote(machineId)), false);
        }
        return machineId;
    }

    private long deadline(Duration timeout) {
        return ticker.nanoTime() + timeout.toNanos();
    }
}
