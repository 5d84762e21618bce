package dev.velocitypreview.sessions.events;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The event streams open on this instance, fed by one listener on the API's session directory.
 *
 * <p>Threads: the directory calls its listener on its stream thread, which must not wait for a client, so each
 * change is handed to the stream's own writes on {@link #writers}, a pool that grows with the streams being
 * written to (at most {@link EventsProperties#maxStreams()}) and shrinks when they are idle; Spring's shared
 * task executor has a fixed pool that a few slow clients would stall for everyone. One scheduler thread only
 * hands heartbeats to the same pool.
 */
@Component
public class SessionEventStreams implements SmartLifecycle, DisposableBean {

    private final EventsProperties settings;
    private final ConcurrentHashMap<UUID, Set<SessionEventStream>> byId = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean running;
    private final ExecutorService writers = Executors.newCachedThreadPool(daemon("session-events-"));
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            daemon("session-events-heartbeat-"));

    SessionEventStreams(SessionDirectory directory, EventsProperties settings, MeterRegistry registry) {
        this.settings = settings;
        directory.addListener(this::changed);
        Gauge.builder("velocity.sessions.events.open", open, AtomicInteger::get)
                .description("event streams (GET /v1/sessions/{id}/events) open on this instance")
                .register(registry);
    }

    /**
     * Registers a stream of session {@code id}'s views newer than {@code afterVersion}, told of every change from
     * now on; nothing is sent until {@link SessionEventStream#start} hands it the view read after this call, so no
     * change falls between that read and the registration. Empty when this instance already has
     * {@link EventsProperties#maxStreams()} open.
     *
     * @param render the JSON body of a view for this caller (the same as {@code GET /v1/sessions/{id}} answers)
     */
    public Optional<SessionEventStream> open(UUID id, long afterVersion, Function<SessionView, Object> render) {
        if (open.incrementAndGet() > settings.maxStreams()) {
            open.decrementAndGet();
            return Optional.empty();
        }
        SessionEventStream stream = new SessionEventStream(id, afterVersion, render, settings, writers, heartbeats,
                this::closed);
        byId.compute(id, (key, streams) -> {
            Set<SessionEventStream> of = streams == null ? ConcurrentHashMap.newKeySet() : streams;
            of.add(stream);
            return of;
        });
        return Optional.of(stream);
    }

    /** Streams open right now on this instance. */
    public int openStreams() {
        return open.get();
    }

    private void changed(UUID id, @Nullable SessionView before, @Nullable SessionView update) {
        Set<SessionEventStream> streams = byId.get(id);
        if (streams == null) {
            return;
        }
        for (SessionEventStream stream : streams) {
            if (update == null) {
                stream.removed();
            } else {
                stream.offer(update);
            }
        }
    }

    /** Called once per stream, however it ended. */
    private void closed(SessionEventStream stream) {
        byId.computeIfPresent(stream.sessionId(), (key, streams) -> {
            streams.remove(stream);
            return streams.isEmpty() ? null : streams;
        });
        open.decrementAndGet();
    }

    @Override
    public void start() {
        running = true;
    }

    /**
     * Ends every open stream before the web server's graceful shutdown, which would otherwise wait for them (they
     * last as long as their sessions); their clients reconnect, to another instance, with {@code Last-Event-ID}.
     */
    @Override
    public void stop() {
        running = false;
        byId.values().forEach(streams -> streams.forEach(SessionEventStream::end));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stopped first: before the web server's graceful shutdown phase. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void destroy() {
        stop();
        heartbeats.shutdownNow();
        writers.shutdown();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
