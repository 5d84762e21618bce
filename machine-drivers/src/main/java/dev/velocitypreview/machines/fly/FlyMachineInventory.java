package dev.velocitypreview.machines.fly;

import java.net.URI;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineInventory;
import dev.velocitypreview.machines.PooledMachine;

/**
 * The preview machines of a Fly app, listed through {@link FlyMachinesDriver#list()} and
 * {@link FlyMachinesDriver#listPooled()}: the same client, rate limiter and retries as the provisioner's driver, of
 * which this exposes only the listings.
 *
 * <p>Thread-safe.
 */
public final class FlyMachineInventory implements MachineInventory {

    /** Only a create reads the image and the regions; a listing needs neither, so these stand in for them. */
    private static final String UNUSED_IMAGE = "unused-by-listing";
    private static final List<String> UNUSED_REGIONS = List.of("iad");

    private final FlyMachinesDriver driver;

    /**
     * @param baseUrl the Machines API; null for {@link FlyMachinesSettings#PUBLIC_API}
     * @param token   the Fly API token; a read-only token is enough
     * @param app     the Fly app the preview machines belong to
     */
    public FlyMachineInventory(@Nullable URI baseUrl, Secret token, String app) {
        this(new FlyMachinesSettings(baseUrl, token, app, UNUSED_IMAGE, UNUSED_REGIONS, null, null, null, null,
                null, null));
    }

    FlyMachineInventory(FlyMachinesSettings settings) {
        this.driver = new FlyMachinesDriver(settings);
    }

    @Override
    public List<Machine> list() {
        return driver.list();
    }

    @Override
    public List<PooledMachine> listPooled() {
        return driver.listPooled();
    }

    @Override
    public void close() {
        driver.close();
    }
}
