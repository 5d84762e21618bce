package dev.velocitypreview.provisioner.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The configured pools, as a CREATE sees them: which pool a project fits, the claim of a place (recorded in the
 * caller's transaction), and what a claim writes into the machine. Topping the pools up is {@link PoolKeeper}'s.
 */
public final class WarmPools {

    private static final Logger LOG = LoggerFactory.getLogger(WarmPools.class);

    private final List<PoolPlan> plans;
    private final MachinePool places;
    private final TemplateCatalog templates;
    private final MeterRegistry meters;
    private volatile Runnable refill = () -> { };

    WarmPools(ProvisionerSettings.Pool settings, TemplateCatalog templates, MachinePool places, MeterRegistry meters) {
        this.templates = templates;
        this.places = places;
        this.meters = meters;
        this.plans = plans(settings, templates);
    }

    static List<PoolPlan> plans(ProvisionerSettings.Pool settings, TemplateCatalog templates) {
        List<PoolPlan> plans = new ArrayList<>();
        MachineSize size = settings.machineSize();
        for (Map.Entry<String, Integer> entry : settings.templates().entrySet()) {
            Template template = templates.named(entry.getKey()).orElseThrow(() -> new IllegalArgumentException(
                    "velocity.provisioner.pool.templates." + entry.getKey() + ": no such template, the templates are "
                            + templates.all().stream().map(Template::name).toList()));
            if (entry.getValue() > 0) {
                plans.add(new PoolPlan(PoolFiles.keyOf(template), PoolFiles.depsOf(template), template, size,
                        entry.getValue()));
            }
        }
        return List.copyOf(plans);
    }

    List<PoolPlan> plans() {
        return plans;
    }

    /** True when some pool keeps machines. */
    public boolean enabled() {
        return !plans.isEmpty();
    }

    /** The pool whose machines a project with these files fits at this size, if one does. */
    public Optional<PoolPlan> fitting(List<PoolFiles.StoredFile> project, MachineSize size) {
        if (plans.isEmpty()) {
            return Optional.empty();
        }
        String deps = PoolFiles.depsOf(project);
        return plans.stream().filter(plan -> plan.size().equals(size) && plan.deps().equals(deps)).findFirst();
    }

    /**
     * Claims the oldest ready place of {@code plan} for the session; run it in the transaction that records the
     * machine on the session's row. Counted by outcome.
     */
    public Optional<MachinePool.Place> claim(PoolPlan plan, UUID sessionId, java.time.Instant at) {
        Optional<MachinePool.Place> place = places.claim(plan, sessionId, at);
        meters.counter("velocity.provisioner.pool.claims", "pool", plan.template().name(),
                "outcome", place.isPresent() ? "claimed" : "empty").increment();
        if (place.isEmpty()) {
            LOG.atInfo().addKeyValue("session", sessionId).addKeyValue("pool", plan.key())
                    .log("pool empty, the session gets a fresh machine");
        }
        return place;
    }

    /** The place this session claimed before (a CREATE delivered again), if any. */
    public Optional<MachinePool.Place> claimedBy(UUID sessionId) {
        return places.claimedBy(sessionId);
    }

    /** The files a claim of {@code place} writes into its machine for a project with these files. */
    public SyncResponse claimFiles(MachinePool.Place place, List<PoolFiles.StoredFile> project) {
        Template template = templates.named(place.template()).orElseThrow(() -> new IllegalStateException(
                "place " + place.slot() + " holds template " + place.template() + ", which this provisioner does not know"));
        return PoolFiles.claimFiles(template, project);
    }

    /**
     * The session is ACTIVE on the place's machine: the place stays claimed, the session's record of the machine's
     * claim token, until the session ends ({@link PoolKeeper#reconcile} forgets it then), so that a resume can claim
     * the machine again should it have restarted in pool mode. Its pool is refilled.
     */
    public void served(MachinePool.Place place) {
        refill.run();
    }

    /** A claim that failed: counted, and the place forgotten (the caller destroyed the machine); its pool is refilled. */
    public void failed(MachinePool.Place place) {
        meters.counter("velocity.provisioner.pool.claims", "pool", place.template(), "outcome", "failed").increment();
        places.forget(place.slot());
        refill.run();
    }

    void onRefillNeeded(Runnable wake) {
        this.refill = wake;
    }
}
