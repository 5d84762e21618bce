package dev.velocitypreview.machines.fly;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /v1/apps/{app}/machines}, in Fly's field names once written in snake case.
 * Null fields are left out.
 */
record CreateMachineBody(String region, Config config) {

    record Config(String image, Map<String, String> env, Map<String, String> metadata, Guest guest,
                  List<Service> services, Restart restart) {
    }

    record Guest(String cpuKind, int cpus, int memoryMb) {
    }

    record Service(String protocol, int internalPort, boolean autostart, String autostop, List<Port> ports) {
    }

    record Port(int port, List<String> handlers) {
    }

    /** @param maxRetries only sent with the on-failure policy */
    record Restart(String policy, @Nullable Integer maxRetries) {
    }
}
