package dev.velocitypreview.bench.routing;

import java.lang.ref.Reference;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;

import dev.velocitypreview.bench.rig.SyntheticSessions;
import dev.velocitypreview.bench.retention.RetentionHeapScenario;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.directory.SessionDirectoryTopology.Source;
import dev.velocitypreview.core.directory.SessionIndex;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;

/**
 * The heap a session directory's in-memory index takes beside its stores (the decoded newest view of every live
 * session, keyed by id, and each user's ids): used heap after full collections with the index holding
 * {@code sessions} live sessions, less the heap before it was made. The index is fed as the directory's topology
 * feeds it, with each session's CREATE and ACTIVE row decoded from their JSON by the real topic serdes, so every view
 * holds its own strings as one decoded from a record does.
 *
 * @param sessions   live sessions in the index
 * @param indexBytes the index's heap
 */
public record DecodedViewsFootprint(int sessions, long indexBytes) {

    private static final int BATCH = 10_000;

    static DecodedViewsFootprint measure(int sessions) {
        long empty = RetentionHeapScenario.heapAfterGc();
        SessionIndex index = new SessionIndex();
        Serializer<SessionCommand> commandOut = Topics.SESSION_COMMANDS.valueSerde().serializer();
        Deserializer<SessionCommand> commandIn = Topics.SESSION_COMMANDS.valueSerde().deserializer();
        Serializer<SessionView> rowOut = Topics.SESSIONS.valueSerde().serializer();
        Deserializer<SessionView> rowIn = Topics.SESSIONS.valueSerde().deserializer();
        String commands = Topics.SESSION_COMMANDS.name();
        String changelog = Topics.SESSIONS.name();
        for (int done = 0; done < sessions; done += BATCH) {
            List<UUID> ids = SyntheticSessions.ids(Math.min(BATCH, sessions - done));
            for (KeyValue<String, SessionCommand> create : SyntheticSessions.creates(ids)) {
                SessionCommand decoded = commandIn.deserialize(commands, commandOut.serialize(commands, create.value));
                index.stored(UUID.fromString(create.key), Source.COMMANDS,
                        SessionView.requested((SessionCommand.Create) decoded));
            }
            for (KeyValue<String, SessionView> row : SyntheticSessions.rows(ids, SessionStatus.ACTIVE, 3)) {
                index.stored(UUID.fromString(row.key), Source.CHANGELOG,
                        rowIn.deserialize(changelog, rowOut.serialize(changelog, row.value)));
            }
        }
        SessionIndex.Stats stats = index.stats();
        if (stats.liveViews() != sessions) {
            throw new IllegalStateException("index holds " + stats + ", expected " + sessions + " live views");
        }
        long held = RetentionHeapScenario.heapAfterGc() - empty;
        Reference.reachabilityFence(index);
        return new DecodedViewsFootprint(sessions, held);
    }

    public double bytesPerSession() {
        return (double) indexBytes / sessions;
    }
}
