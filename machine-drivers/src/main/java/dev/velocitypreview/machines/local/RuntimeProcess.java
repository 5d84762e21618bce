package dev.velocitypreview.machines.local;

import java.io.IOException;
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
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(5);

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
     * @param stopped the tree was {@link #suspend suspended}: it is continued after being asked to end, as a
     *                stopped process only acts on SIGTERM once it runs again
     * @throws MachineException transient when something still runs after the forced kill
     */
    void kill(Duration grace, boolean stopped) {
        Optional<ProcessHandle> root = handle();
        if (root.isEmpty()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(root.get().descendants().toList());
        tree.add(root.get());
        tree.forEach(ProcessHandle::destroy);
        if (stopped) {
            signal(tree, "CONT");
        }
        if (awaitExit(tree, grace)) {
            return;
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(tree, FORCED_EXIT_WAIT)) {
            throw new MachineException("process " + pid + " still runs after being killed", true);
        }
    }

    /**
     * Stops the process and everything it started where they are (SIGSTOP): they keep their memory, their
     * sockets and their port, and answer nothing until {@link #resume}d.
     *
     * @throws MachineException transient when the process is gone or the signal could not be sent
     */
    void suspend() {
        ProcessHandle root = handle().orElseThrow(() -> new MachineException("process " + pid + " is gone", true));
        // the root first, so that it starts no new child while its children are being stopped
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        tree.addAll(root.descendants().toList());
        signal(tree, "STOP");
    }

    /**
     * Continues a {@link #suspend suspended} process and everything it started (SIGCONT).
     *
     * @throws MachineException transient when the process is gone or the signal could not be sent
     */
    void resume() {
        ProcessHandle root = handle().orElseThrow(() -> new MachineException("process " + pid + " is gone", true));
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(root);
        signal(tree, "CONT");
    }

    /**
     * Sends {@code signal} to the processes with {@code kill(1)}: {@link ProcessHandle} sends only SIGTERM and
     * SIGKILL, and the JDK has no other way to send a signal to another process.
     */
    private static void signal(List<ProcessHandle> processes, String signal) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        processes.forEach(process -> command.add(Long.toString(process.pid())));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            kill.getOutputStream().close();
            if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                throw new MachineException("kill -" + signal + " did not return within " + SIGNAL_TIMEOUT, true);
            }
            String output = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            // a process that exited meanwhile makes kill(1) fail for its pid alone: the others got the signal
            if (kill.exitValue() != 0 && processes.stream().allMatch(ProcessHandle::isAlive)) {
                throw new MachineException("kill -" + signal + " failed with code " + kill.exitValue() + ": " + output, true);
            }
        } catch (IOException e) {
            throw new MachineException("cannot run kill -" + signal + ": " + e, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineException("interrupted while sending SIG" + signal, true, e);
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
