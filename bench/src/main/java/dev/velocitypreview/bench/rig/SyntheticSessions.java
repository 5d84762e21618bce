package dev.velocitypreview.bench.rig;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.streams.KeyValue;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

/**
 * Sessions made up for the directory's benchmarks (scenarios 3 and 8): their CREATEs and changelog rows, shaped
 * like a day of use, spread over {@link #USERS} users.
 */
public final class SyntheticSessions {

    /** Users the sessions belong to, round robin. */
    public static final int USERS = 1_000;

    private SyntheticSessions() {
    }

    public static List<UUID> ids(int count) {
        List<UUID> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }

    public static List<KeyValue<String, SessionCommand>> creates(List<UUID> ids) {
        Instant now = Instant.now();
        List<KeyValue<String, SessionCommand>> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            UUID id = ids.get(i);
            out.add(KeyValue.pair(id.toString(), SessionCommand.create(id, "user-" + (i % USERS), project(id), "react",
                    Tier.FREE, Visibility.PUBLIC, Duration.ofMinutes(30), new MachineSize("shared", 1, 256),
                    Duration.ofMinutes(10), now)));
        }
        return out;
    }

    public static List<KeyValue<String, SessionView>> rows(List<UUID> ids, SessionStatus status, long version) {
        Instant now = Instant.now();
        List<KeyValue<String, SessionView>> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            UUID id = ids.get(i);
            boolean ended = status.isTerminal();
            out.add(KeyValue.pair(id.toString(), new SessionView(id, "user-" + (i % USERS), project(id), status,
                    ended ? "expired" : null, null, ended ? null : "machine-" + i,
                    ended ? null : "http://10.0.0.1:" + (20000 + i % 10000), "local", Tier.FREE, null, version, now,
                    now, now, now, now.plusSeconds(1800), ended ? now : null, Duration.ofMinutes(10))));
        }
        return out;
    }

    private static UUID project(UUID session) {
        return new UUID(session.getLeastSignificantBits(), session.getMostSignificantBits());
    }
}
