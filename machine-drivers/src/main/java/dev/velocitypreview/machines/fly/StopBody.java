package dev.velocitypreview.machines.fly;

/** The body of {@code POST .../stop}: the signal for the runtime and how long it has before Fly kills it ({@code "10s"}). */
record StopBody(String signal, String timeout) {
}
