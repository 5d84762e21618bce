package dev.velocitypreview.cleanup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntSupplier;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.core.cleanup.CleanupReport;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.machines.Machine;

/**
 * The cleanup of one partition: keeps what it needs of each session of the partition (its row, its latest
 * activity, what was issued), indexes each session under the time it may next be due, and every tick issues
 * what has fallen due by the injected clock. Every store write and every command of one step are committed
 * in one Kafka transaction ({@code exactly_once_v2}), so the next owner of the partition, after a crash,
 * neither loses nor repeats a command.
 *
 * <p>Every orphan interval, the machines of a listing whose session falls on this partition are compared with
 * the store: a machine of an ended or unknown session, older than the grace, is reaped; a live session whose
 * machine is missing from a listing taken after its row's last update has lost it. A record on
 * {@code preview.cleanup-requests} runs all of that at once, with a fresh listing, and is answered with a
 * {@link CleanupReport}.
 */
final class CleanupProcessor implements Processor<String, Object, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(CleanupProcessor.class);

    /**
     * What a processor is made of.
     *
     * @param listings   the instance's machine listings, or null when no inventory is configured
     * @param partitions the partition count of {@code preview.sessions}, to tell which machines are this task's;
     *                   known once the topics were prepared, before the streams start
     */
    record Settings(Duration tick, Duration suspendedTimeout, Duration retention, Duration orphanGrace,
                    Duration orphanInterval, Clock clock, @Nullable MachineListings listings, CleanupMetrics metrics,
                    IntSupplier partitions) {
    }

    private final Settings settings;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, TrackedSession> sessions;
    private KeyValueStore<String, String> deadlines;

    CleanupProcessor(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.sessions = context.getStateStore(CleanupTopology.SESSIONS_STORE);
        this.deadlines = context.getStateStore(CleanupTopology.DEADLINES_STORE);
        context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, wallClock -> issueDue());
        if (settings.listings() != null) {
            context.schedule(settings.orphanInterval(), PunctuationType.WALL_CLOCK_TIME, wallClock -> reconcileMachines());
        }
    }

    @Override
    public void process(Record<String, Object> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        if (topic.equals(Topics.CLEANUP_REQUESTS.name())) {
            runPass(record.headers());
            return;
        }
        if (!SessionId.isValid(record.key())) {
            LOG.atWarn().addKeyValue("topic", topic).addKeyValue("key", record.key() == null ? null : SessionId.quote(record.key()))
                    .log("skipping record whose key is not a session id");
            return;
        }
        if (topic.equals(Topics.SESSIONS.name())) {
            sessionChanged(record.key(), (SessionView) record.value());
        } else if (topic.equals(Topics.SESSION_ACTIVITY.name()) && record.value() instanceof SessionActivity activity) {
            seen(record.key(), activity);
        }
    }

    private void sessionChanged(String id, @Nullable SessionView view) {
        TrackedSession known = sessions.get(id);
        if (view == null) {
            // the row was deleted (purged): forget the session
            if (known != null) {
                unindex(known.deadlineKey());
                sessions.delete(id);
            }
            return;
        }
        TrackedSession base = known != null ? known : TrackedSession.unknown();
        TrackedSession updated = base.withRow(view, settings.clock().instant());
        if (updated != null) {
            reschedule(id, updated);
        }
    }

    private void seen(String id, SessionActivity activity) {
        TrackedSession known = sessions.get(id);
        if (known == null || known.row() == null) {
            // activity comes from routed sessions, whose rows exist; one that does not is nothing to keep
            return;
        }
        TrackedSession updated = known.withLastSeen(activity.seenAt());
        if (updated != known) {
            reschedule(id, updated);
        }
    }

    /** Every tick: the sessions whose deadline has passed, and only those. */
    private void issueDue() {
        Instant now = settings.clock().instant();
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> entries = deadlines.range(null, DeadlineKey.upTo(now))) {
            entries.forEachRemaining(due::add);
        }
        PassTally tally = new PassTally();
        for (KeyValue<String, String> entry : due) {
            TrackedSession session = sessions.get(entry.value);
            if (session == null || !entry.key.equals(session.deadlineKey())) {
                deadlines.delete(entry.key);
                continue;
            }
            act(entry.value, session, now, tally);
        }
    }

    /** Issues what is due for one session, then indexes it under its next deadline. */
    private void act(String id, TrackedSession session, Instant now, PassTally tally) {
        TrackedSession current = session;
        CleanupAction action;
        while ((action = current.due(now, settings.suspendedTimeout(), settings.retention())) != null) {
            issue(id, current, action, now, tally);
            current = current.withIssued(action, now);
        }
        reschedule(id, current);
    }

    private void issue(String id, TrackedSession session, CleanupAction action, Instant now, PassTally tally) {
        TrackedSession.Row row = session.row();
        UUID sessionId = UUID.fromString(id);
        try {
            SessionCommand command = switch (action) {
                case EXPIRE -> SessionCommand.terminate(sessionId, row.userId(), TerminationReason.EXPIRED, now);
                case SUSPEND -> SessionCommand.suspend(sessionId, row.userId(), now);
                case TERMINATE_IDLE -> SessionCommand.terminate(sessionId, row.userId(), TerminationReason.IDLE, now);
                case MACHINE_LOST -> SessionCommand.machineLost(sessionId, row.userId(), row.machineId(), now);
                case PURGE -> SessionCommand.purge(sessionId, row.userId(), now);
                case REAP_MACHINE -> throw new IllegalArgumentException("a reap names its machine");
            };
            send(id, command);
            if (action == CleanupAction.PURGE) {
                // every directory drops the session's CREATE from its requested store on this tombstone
                context.forward(new Record<String, Object>(id, null, context.currentSystemTimeMs()), CleanupTopology.COMMANDS_SINK);
            }
            if (action == CleanupAction.EXPIRE) {
                settings.metrics().expiredLate(Duration.between(row.expiresAt(), now));
            }
            settings.metrics().issued(action);
            tally.issued(action);
            LOG.atInfo().addKeyValue("session", id).addKeyValue("action", action.tag())
                    .addKeyValue("status", row.status()).log("cleanup command issued");
        } catch (IllegalArgumentException | NullPointerException e) {
            // a row cleanup cannot act on (no owner, say): remembered as issued so it is not tried every tick
            tally.failed(action.tag() + " of session " + id + ": " + e.getMessage());
            LOG.atError().addKeyValue("session", id).addKeyValue("action", action.tag())
                    .addKeyValue("error", e.getMessage()).log("cleanup command not issued");
        }
    }

    /**
     * Record timestamps are the wall clock's, not the injected clock's: the broker refuses timestamps too far
     * from its own time, and a deadline clock may be anything (a test's runs days ahead).
     */
    private void send(String id, SessionCommand command) {
        context.forward(new Record<String, Object>(id, command, context.currentSystemTimeMs()), CleanupTopology.COMMANDS_SINK);
    }

    private void reschedule(String id, TrackedSession session) {
        Instant next = session.nextDeadline(settings.suspendedTimeout(), settings.retention());
        String key = next == null ? null : DeadlineKey.of(next, id);
        String old = session.deadlineKey();
        if (old != null && !old.equals(key)) {
            deadlines.delete(old);
        }
        if (key != null && !key.equals(old)) {
            deadlines.put(key, id);
        }
        sessions.put(id, session.withDeadlineKey(key));
    }

    private void unindex(@Nullable String deadlineKey) {
        if (deadlineKey != null) {
            deadlines.delete(deadlineKey);
        }
    }

    /** Every orphan interval: a listing at most half an interval old (one listing serves every task of the instance). */
    private void reconcileMachines() {
        Instant now = settings.clock().instant();
        try {
            MachineListings.Listing listing = settings.listings().takenSince(now.minus(settings.orphanInterval().dividedBy(2)));
            reconcile(listing, now, new PassTally());
        } catch (RuntimeException e) {
            // counted and logged by the listings; nothing is reaped from a listing that failed
        }
    }

    private void reconcile(MachineListings.Listing listing, Instant now, PassTally tally) {
        int partition = context.taskId().partition();
        Set<String> listed = new HashSet<>();
        for (Machine machine : listing.machines()) {
            if (partitionOf(machine.sessionId()) != partition) {
                continue;
            }
            listed.add(machine.id());
            reapIfOrphan(machine, listing.takenAt(), now, tally);
        }
        List<KeyValue<String, TrackedSession>> all = new ArrayList<>();
        try (KeyValueIterator<String, TrackedSession> entries = sessions.all()) {
            entries.forEachRemaining(all::add);
        }
        for (KeyValue<String, TrackedSession> entry : all) {
            TrackedSession session = entry.value;
            TrackedSession.Row row = session.row();
            if (row == null) {
                // known only from machines: forget it once none of them is listed any more
                boolean stillListed = session.machinesSeen().keySet().stream().anyMatch(listed::contains)
                        || session.reaped().stream().anyMatch(listed::contains);
                if (!stillListed) {
                    sessions.delete(entry.key);
                }
                continue;
            }
            boolean live = row.status() == SessionStatus.ACTIVE || row.status() == SessionStatus.SUSPENDED;
            if (live && row.machineId() != null && !session.hasIssued(CleanupAction.MACHINE_LOST)
                    && row.updatedAt() != null && listing.takenAt().isAfter(row.updatedAt())
                    && !listed.contains(row.machineId())) {
                issue(entry.key, session, CleanupAction.MACHINE_LOST, now, tally);
                sessions.put(entry.key, session.withIssued(CleanupAction.MACHINE_LOST, now));
            }
        }
    }

    private void reapIfOrphan(Machine machine, Instant listedAt, Instant now, PassTally tally) {
        String id = machine.sessionId().toString();
        TrackedSession known = sessions.get(id);
        TrackedSession.Row row = known == null ? null : known.row();
        if (row != null && row.live() && (row.machineId() == null || row.machineId().equals(machine.id()))) {
            // the session's own machine, or its CREATE is in flight: never an orphan
            return;
        }
        TrackedSession session = known != null ? known : TrackedSession.unknown();
        if (session.reaped().contains(machine.id())) {
            return;
        }
        Instant born = machine.createdAt() != null ? machine.createdAt() : session.machinesSeen().get(machine.id());
        if (born == null) {
            // a machine the inventory does not date: the grace counts from the first listing that showed it
            sessions.put(id, session.withMachineSeen(machine.id(), listedAt));
            return;
        }
        if (born.plus(settings.orphanGrace()).isAfter(now)) {
            return;
        }
        String owner = row == null ? null : row.userId();
        try {
            send(id, SessionCommand.reapMachine(machine.sessionId(), owner, machine.id(), now));
            settings.metrics().issued(CleanupAction.REAP_MACHINE);
            tally.issued(CleanupAction.REAP_MACHINE);
            LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", machine.id())
                    .addKeyValue("status", row == null ? null : row.status()).log("orphan machine reaped");
        } catch (IllegalArgumentException e) {
            tally.failed("reap_machine " + machine.id() + " of session " + id + ": " + e.getMessage());
            LOG.atError().addKeyValue("session", id).addKeyValue("machine", machine.id())
                    .addKeyValue("error", e.getMessage()).log("orphan machine not reaped");
        }
        sessions.put(id, session.withReaped(machine.id()));
    }

    /** A full pass now, answered with what it did (spring-kafka's request/reply headers). */
    private void runPass(Headers request) {
        Instant now = settings.clock().instant();
        PassTally tally = new PassTally();
        List<KeyValue<String, TrackedSession>> all = new ArrayList<>();
        try (KeyValueIterator<String, TrackedSession> entries = sessions.all()) {
            entries.forEachRemaining(all::add);
        }
        for (KeyValue<String, TrackedSession> entry : all) {
            if (entry.value.row() != null) {
                act(entry.key, entry.value, now, tally);
            }
        }
        if (settings.listings() != null) {
            try {
                reconcile(settings.listings().takenSince(now), now, tally);
            } catch (RuntimeException e) {
                tally.failed("machine listing failed: " + e.getMessage());
            }
        }
        reply(request, tally.report(settings.clock().instant()));
    }

    private void reply(Headers request, CleanupReport report) {
        Headers headers = new RecordHeaders();
        Header correlation = request.lastHeader(KafkaHeaders.CORRELATION_ID);
        if (correlation != null) {
            headers.add(KafkaHeaders.CORRELATION_ID, correlation.value());
        }
        Header topic = request.lastHeader(KafkaHeaders.REPLY_TOPIC);
        if (topic != null) {
            headers.add(KafkaHeaders.REPLY_TOPIC, topic.value());
        }
        Header partition = request.lastHeader(KafkaHeaders.REPLY_PARTITION);
        String key = partition == null || partition.value() == null || partition.value().length != Integer.BYTES ? null
                : Integer.toString(ByteBuffer.wrap(partition.value()).getInt());
        context.forward(new Record<String, Object>(key, report, context.currentSystemTimeMs(), headers),
                CleanupTopology.REPORTS_SINK);
        LOG.atInfo().addKeyValue("partition", context.taskId().partition()).addKeyValue("expired", report.expired())
                .addKeyValue("suspended", report.suspended()).addKeyValue("orphansDestroyed", report.orphansDestroyed())
                .addKeyValue("errors", report.errors()).log("cleanup pass answered");
    }

    /** Kafka's default partitioner on the session id's UTF-8 bytes: where the session's records are. */
    private int partitionOf(UUID sessionId) {
        return Utils.toPositive(Utils.murmur2(sessionId.toString().getBytes(StandardCharsets.UTF_8)))
                % settings.partitions().getAsInt();
    }

    /** Keys of the deadline index: the time (zero-padded epoch millis, so text order is time order), then the session. */
    static final class DeadlineKey {

        private DeadlineKey() {
        }

        static String of(Instant at, String sessionId) {
            return millis(at) + ":" + sessionId;
        }

        /** The greatest key of anything due at {@code now}: ';' sorts right after ':'. */
        static String upTo(Instant now) {
            return millis(now) + ";";
        }

        private static String millis(Instant at) {
            return String.format("%019d", Math.max(0, at.toEpochMilli()));
        }
    }
}
