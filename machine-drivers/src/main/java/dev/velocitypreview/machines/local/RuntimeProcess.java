package dev.velocitypreview.machines.local;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.velocitypreview.machines.MachineException;

/**
 * A runtime process known by pid and start time, so that it can be found and killed from another
 * driver instance (after a restart) without mistaking a later process that reuses the pid.
 *
 * @param startedAt null where the platform does not tell; the pid alone is trusted then
 */
record RuntimeProcess(long pid, Instant startedAt) {

    /** Start times come from the kernel in clock ticks; two readings may differ by rounding. */
    private static final Duration SAME_START = Duration.ofSeconds(1);
    private static final Duration FORCED_EXIT_WAIT = Duration.ofSeconds(5);

    static RuntimeProcess of(ProcessHandle handle) {
        return new RuntimeProcess(handle.pid(), handle.info().startInstant().orElse(null));
    }

    /** The live process, if this one still runs. */
    Optional<ProcessHandle> handle() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(handle -> {
            Optional<Instant> started = handle.info().startInstant();
            return startedAt == null || started.isEmpty()
                    || Duration.between(startedAt, started.get()).abs().compareTo(SAME_START) < 0;
        });
    }

    boolean alive() {
        return handle().isPresent();
    }

    /**
     * Ends the process and everything it started: asks politely, then forcibly after {@code grace}.
     *
     * @throws MachineException transient when something still runs after the forced kill
     */
    void kill(Duration grace) {
        Optional<ProcessHandle> root = handle();
        if (root.isEmpty()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(root.get().descendants().toList());
        tree.add(root.get());
        tree.forEach(ProcessHandle::destroy);
        if (awaitExit(tree, grace)) {
            return;
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(tree, FORCED_EXIT_WAIT)) {
            throw new MachineException("process " + pid + " still runs after being killed", true);
        }
    }

    private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
        CompletableFuture<?>[] exits = processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for a process exit cannot fail", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineException("interrupted while waiting for process exits", true, e);
        }
    }
}
