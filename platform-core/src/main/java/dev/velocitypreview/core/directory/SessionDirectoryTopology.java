package dev.velocitypreview.core.directory;

import java.util.UUID;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.SessionId;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;

/**
 * Two global, in-memory stores that together say where every session is:
 * {@value #REQUESTED_STORE} holds the CREATE of each session (so a fresh id is known the moment
 * its command is acknowledged) and {@value #SESSIONS_STORE} holds the newest changelog row.
 * Both are version-fenced: an update that is not newer than what the store holds is dropped,
 * so a replayed changelog never moves a session backwards. A tombstone (null value) keyed by a
 * session removes what a store holds of it: the changelog's when the provisioner deleted the row,
 * the command topic's when cleanup retained the session out, so no store grows forever.
 */
public final class SessionDirectoryTopology {

    public static final String SESSIONS_STORE = "sessions";
    public static final String REQUESTED_STORE = "requested-sessions";

    private static final Logger LOG = LoggerFactory.getLogger(SessionDirectoryTopology.class);

    private SessionDirectoryTopology() {
    }

    /** Which store an update went to. */
    public enum Source {
        /** {@value #REQUESTED_STORE}, fed by {@code preview.session-commands}. */
        COMMANDS,
        /** {@value #SESSIONS_STORE}, fed by {@code preview.sessions}. */
        CHANGELOG
    }

    /**
     * Told about every accepted update, on the global stream thread, right after the store changed (while the
     * stores are restored too). Nothing here may throw, or Kafka Streams would count the record as unreadable.
     */
    public interface Changes {

        /** {@code source}'s store now holds {@code view} for the session (a CREATE's requested view, or a newer row). */
        void stored(UUID id, Source source, SessionView view);

        /**
         * A tombstone removed what {@code source}'s store held of the session, {@code previous}, which is null
         * when it held nothing.
         */
        void removed(UUID id, Source source, SessionView previous);
    }

    /** @param changed told about every accepted update */
    public static Topology build(Changes changed) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SESSIONS_STORE),
                        Serdes.String(), Topics.SESSIONS.valueSerde()).withLoggingDisabled(),
                Topics.SESSIONS.name(),
                Consumed.with(Topics.SESSIONS.keySerde(), Topics.SESSIONS.valueSerde()),
                () -> new ChangelogProcessor(changed));
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(REQUESTED_STORE),
                        Serdes.String(), Topics.SESSIONS.valueSerde()).withLoggingDisabled(),
                Topics.SESSION_COMMANDS.name(),
                Consumed.with(Topics.SESSION_COMMANDS.keySerde(), Topics.SESSION_COMMANDS.valueSerde()),
                () -> new RequestedProcessor(changed));
        return builder.build();
    }

    private static UUID keyOf(String key, String topic) {
        if (!SessionId.isValid(key)) {
            LOG.atWarn().addKeyValue("topic", topic).addKeyValue("key", key == null ? null : SessionId.quote(key))
                    .log("skipping record whose key is not a session id");
            return null;
        }
        return UUID.fromString(key);
    }

    /** Keeps the newest row of each session; a tombstone removes it. */
    private static final class ChangelogProcessor implements Processor<String, SessionView, Void, Void> {
        private final Changes changed;
        private KeyValueStore<String, SessionView> store;

        ChangelogProcessor(Changes changed) {
            this.changed = changed;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(SESSIONS_STORE);
        }

        @Override
        public void process(Record<String, SessionView> record) {
            UUID id = keyOf(record.key(), Topics.SESSIONS.name());
            if (id == null) {
                return;
            }
            SessionView incoming = record.value();
            if (incoming == null) {
                changed.removed(id, Source.CHANGELOG, store.delete(record.key()));
            } else if (!incoming.id().equals(id)) {
                LOG.atWarn().addKeyValue("session", id).addKeyValue("row", incoming.id())
                        .log("skipping changelog row whose id differs from its key");
            } else if (incoming.supersedes(store.get(record.key()))) {
                store.put(record.key(), incoming);
                changed.stored(id, Source.CHANGELOG, incoming);
            }
        }
    }

    /**
     * Remembers each CREATE as a version-0 view; other commands do not change what a session is. A tombstone
     * (cleanup's, once the session was retained out) forgets the CREATE.
     */
    private static final class RequestedProcessor implements Processor<String, SessionCommand, Void, Void> {
        private final Changes changed;
        private KeyValueStore<String, SessionView> store;

        RequestedProcessor(Changes changed) {
            this.changed = changed;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(REQUESTED_STORE);
        }

        @Override
        public void process(Record<String, SessionCommand> record) {
            UUID id = keyOf(record.key(), Topics.SESSION_COMMANDS.name());
            if (id != null && record.value() == null) {
                changed.removed(id, Source.COMMANDS, store.delete(record.key()));
                return;
            }
            if (id == null || !(record.value() instanceof SessionCommand.Create create)
                    || !create.sessionId().equals(id) || store.get(record.key()) != null) {
                return;
            }
            SessionView requested = SessionView.requested(create);
            store.put(record.key(), requested);
            changed.stored(id, Source.COMMANDS, requested);
        }
    }
}
