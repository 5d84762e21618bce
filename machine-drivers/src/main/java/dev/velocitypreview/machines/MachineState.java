package dev.velocitypreview.machines;

/** The machine states the platform acts on, named after Fly's. */
public enum MachineState {
    CREATED, STARTING, STARTED, STOPPING, STOPPED, SUSPENDED, FAILED, DESTROYED
}
