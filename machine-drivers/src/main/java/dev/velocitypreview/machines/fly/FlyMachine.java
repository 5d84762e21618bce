package dev.velocitypreview.machines.fly;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import tools.jackson.databind.JsonNode;

import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.fly.FlyMachinesSettings.Autostop;

/**
 * A Machine as Fly's API describes it, reduced to what the driver reads. Fields Fly adds are
 * ignored; fields Fly leaves out are null.
 *
 * @param state     Fly's state name ({@code created}, {@code started}, {@code destroyed}, ...)
 * @param createdAt ISO-8601 as Fly writes it, so it sorts as text
 */
record FlyMachine(String id, String state, @Nullable String region, @Nullable String privateIp,
                  @Nullable String createdAt, @Nullable Config config) {

    FlyMachine {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a machine without an id");
        }
        state = state == null ? "" : state;
    }

    /** @param metadata our tags ({@code session_id}, ...) */
    record Config(@Nullable Map<String, String> metadata, @Nullable List<Service> services) {
    }

    /** @param autostop null when Fly did not say or said something this driver does not know */
    record Service(@Nullable Integer internalPort, @Nullable Boolean autostart, @Nullable Autostop autostop) {

        /** Fly answers {@code autostop} as {@code "off"|"stop"|"suspend"} or, from older machines, as a boolean. */
        @JsonCreator
        static Service of(@JsonProperty("internal_port") @Nullable Integer internalPort,
                          @JsonProperty("autostart") @Nullable Boolean autostart,
                          @JsonProperty("autostop") @Nullable JsonNode autostop) {
            return new Service(internalPort, autostart, autostop(autostop));
        }

        private static @Nullable Autostop autostop(@Nullable JsonNode raw) {
            if (raw == null || raw.isNull() || raw.isMissingNode()) {
                return null;
            }
            if (raw.isBoolean()) {
                return raw.booleanValue() ? Autostop.STOP : Autostop.OFF;
            }
            if (raw.isString()) {
                return switch (raw.stringValue().toLowerCase(Locale.ROOT)) {
                    case "off", "false" -> Autostop.OFF;
                    case "stop", "true" -> Autostop.STOP;
                    case "suspend" -> Autostop.SUSPEND;
                    default -> null;
                };
            }
            return null;
        }
    }

    /** {@link #createdAt} as an instant; null when Fly did not say or wrote something else. */
    @Nullable Instant createdAtInstant() {
        if (createdAt == null) {
            return null;
        }
        try {
            return Instant.parse(createdAt);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Nullable String metadata(String key) {
        return config == null || config.metadata() == null ? null : config.metadata().get(key);
    }

    List<Service> services() {
        return config == null || config.services() == null ? List.of() : config.services();
    }

    /** Fly's states folded into the ones the platform acts on; a state Fly adds later counts as in progress. */
    MachineState platformState() {
        return switch (state) {
            case "created" -> MachineState.CREATED;
            case "started" -> MachineState.STARTED;
            case "stopping", "suspending" -> MachineState.STOPPING;
            case "stopped" -> MachineState.STOPPED;
            case "suspended" -> MachineState.SUSPENDED;
            case "failed", "launch_failed" -> MachineState.FAILED;
            case "destroying", "destroyed", "replaced", "migrated" -> MachineState.DESTROYED;
            default -> MachineState.STARTING;
        };
    }

    boolean isLive() {
        return platformState() != MachineState.DESTROYED;
    }
}
