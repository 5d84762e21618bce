package dev.velocitypreview.sessions.events;

import java.io.IOException;
import java.util.Locale;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.velocitypreview.core.session.SessionView;

/**
 * One client's stream of one session: {@code event: session}, {@code id:} the view's version, {@code data:} the view
 * as JSON; only versions newer than the last one sent, in the order the directory accepted them; complete after a
 * terminal status. Writes are serialized on this object's lock and never run on the directory's thread.
 */
public final class SessionEventStream {

    /** The one event name: a client listens for it whatever the status (the status is in the data). */
    public static final String EVENT = "session";
    static final String HEARTBEAT = " keep-alive";

    private static final Logger LOG = LoggerFactory.getLogger(SessionEventStream.class);

    private final UUID sessionId;
    private final Function<SessionView, Object> render;
    private final Executor writers;
    private final Consumer<SessionEventStream> onClosed;
    private final SseEmitter emitter;
    private final ScheduledFuture<?> heartbeat;
    private final Queue<SessionView> pending = new ConcurrentLinkedQueue<>();
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private long lastSent;
    /** Guarded by {@link #lock}. */
    private boolean started;
    /** Guarded by {@link #lock}. */
    private boolean ended;
    /** Guarded by {@link #lock}. */
    private boolean closed;

    SessionEventStream(UUID sessionId, long afterVersion, Function<SessionView, Object> render, EventsProperties settings,
                       Executor writers, ScheduledExecutorService heartbeats, Consumer<SessionEventStream> onClosed) {
        this.sessionId = sessionId;
        this.lastSent = afterVersion;
        this.render = render;
        this.writers = writers;
        this.onClosed = onClosed;
        this.emitter = new SseEmitter(settings.maxDuration().toMillis());
        // a stream that reached its maximum duration ends normally: the client reconnects with Last-Event-ID
        emitter.onTimeout(this::end);
        emitter.onCompletion(this::close);
        emitter.onError(error -> close());
        long every = settings.heartbeat().toMillis();
        this.heartbeat = heartbeats.scheduleAtFixedRate(() -> write(this::sendHeartbeat), every, every,
                TimeUnit.MILLISECONDS);
    }

    UUID sessionId() {
        return sessionId;
    }

    /**
     * Sends {@code current} (the view read after the stream was registered) when it is newer than the client's
     * {@code Last-Event-ID}, then whatever changed meanwhile; ends at once when the session had already ended and
     * the client has seen that. Call once, on the request's thread, before returning {@link #emitter()}.
     */
    public void start(SessionView current) {
        synchronized (lock) {
            started = true;
            if (current.status().isTerminal() && current.version() <= lastSent) {
                endLocked();
                return;
            }
            sendLocked(current);
            drainLocked();
        }
    }

    /** What the handler returns; Spring MVC writes what was sent before it was returned once it is. */
    public SseEmitter emitter() {
        return emitter;
    }

    /** Ends a stream that cannot be started (the session is unknown or not the caller's), before it sent anything. */
    public void cancel() {
        close();
    }

    void offer(SessionView update) {
        pending.add(update);
        write(this::drain);
    }

    /** The session's row was deleted (after the retention of an ended session): nothing more will come. */
    void removed() {
        write(this::end);
    }

    void end() {
        synchronized (lock) {
            endLocked();
        }
    }

    private void write(Runnable task) {
        try {
            writers.execute(task);
        } catch (RejectedExecutionException e) {
            // the service is stopping; destroy() ends every stream
        }
    }

    private void drain() {
        synchronized (lock) {
            if (started) {
                drainLocked();
            }
        }
    }

    private void drainLocked() {
        SessionView next;
        while (!ended && (next = pending.poll()) != null) {
            sendLocked(next);
        }
    }

    private void sendLocked(SessionView view) {
        if (ended || view.version() <= lastSent) {
            return;
        }
        try {
            emitter.send(SseEmitter.event().id(Long.toString(view.version())).name(EVENT)
                    .data(render.apply(view), MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            failedLocked(e);
            return;
        }
        lastSent = view.version();
        if (view.status().isTerminal()) {
            LOG.atDebug().addKeyValue("session", sessionId).addKeyValue("status", view.status().name().toLowerCase(Locale.ROOT))
                    .addKeyValue("version", view.version()).log("session ended, closing its event stream");
            endLocked();
        }
    }

    private void sendHeartbeat() {
        synchronized (lock) {
            // nothing before the first event: a stream that has not started may still be refused (404)
            if (ended || !started) {
                return;
            }
            try {
                emitter.send(SseEmitter.event().comment(HEARTBEAT));
            } catch (IOException | IllegalStateException e) {
                failedLocked(e);
            }
        }
    }

    /** The client went away (or the response cannot be written): drop the stream, the container ends the request. */
    private void failedLocked(Exception e) {
        LOG.atDebug().addKeyValue("session", sessionId).addKeyValue("error", e.toString())
                .log("event stream could not be written, closing it");
        ended = true;
        closeLocked();
    }

    private void endLocked() {
        if (ended) {
            return;
        }
        ended = true;
        emitter.complete();
        closeLocked();
    }

    private void close() {
        synchronized (lock) {
            ended = true;
            closeLocked();
        }
    }

    private void closeLocked() {
        if (closed) {
            return;
        }
        closed = true;
        heartbeat.cancel(false);
        pending.clear();
        onClosed.accept(this);
    }

    @Override
    public String toString() {
        return "SessionEventStream[" + sessionId + ", last sent " + lastSent + "]";
    }
}
