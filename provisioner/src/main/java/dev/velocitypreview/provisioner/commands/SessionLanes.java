package dev.velocitypreview.provisioner.commands;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serial lanes on a bounded pool of workers: tasks of one key run one at a time in submission
 * order, tasks of different keys run concurrently. A lane exists only while it has tasks, so idle
 * sessions cost nothing.
 */
final class SessionLanes {

    private static final Logger LOG = LoggerFactory.getLogger(SessionLanes.class);

    private final ExecutorService workers;
    /** Guarded by itself. The head of a lane's queue is the task running (or about to run) for it. */
    private final Map<String, ArrayDeque<Runnable>> lanes = new HashMap<>();

    SessionLanes(int workers, String threadPrefix) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = task -> {
            Thread thread = new Thread(task, threadPrefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.workers = Executors.newFixedThreadPool(workers, threads);
    }

    void submit(String key, Runnable task) {
        synchronized (lanes) {
            ArrayDeque<Runnable> lane = lanes.get(key);
            if (lane != null) {
                lane.addLast(task);
                return;
            }
            lane = new ArrayDeque<>();
            lane.addLast(task);
            lanes.put(key, lane);
        }
        workers.execute(() -> drain(key));
    }

    /** Runs the lane's tasks until it is empty; only one drain per lane is ever active. */
    private void drain(String key) {
        while (true) {
            Runnable task;
            synchronized (lanes) {
                task = lanes.get(key).peekFirst();
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.atError().setCause(e).addKeyValue("session", key).log("lane task failed");
            }
            synchronized (lanes) {
                ArrayDeque<Runnable> lane = lanes.get(key);
                lane.pollFirst();
                if (lane.isEmpty()) {
                    lanes.remove(key);
                    return;
                }
            }
        }
    }

    /**
     * Stops taking tasks and waits up to {@code timeout} for the queued ones to run out; tasks
     * are expected to return at once when their dispatcher is closing. Workers still busy after
     * that are interrupted.
     *
     * @return true when every worker finished in time
     */
    boolean close(Duration timeout) {
        workers.shutdown();
        try {
            if (workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            workers.shutdownNow();
            return false;
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
