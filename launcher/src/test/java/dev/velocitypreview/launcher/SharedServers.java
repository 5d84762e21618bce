package dev.velocitypreview.launcher;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** What keeps a test's platform to itself on the Kafka broker and the PostgreSQL server the launcher's tests share. */
final class SharedServers {

    private SharedServers() {
    }

    /**
     * {@code settings}, with the platform's own replication slot (a slot is the whole server's, not a database's) and
     * its own cleanup group: a cleanup member of an earlier test's platform that did not leave the group as it closed
     * would otherwise hold the group's partitions until its session timed out (45 s), and a cleanup pass asked for
     * meanwhile went unanswered.
     *
     * @param test a lower-case identifier naming the test, for the slot's and the group's names
     */
    static Map<String, Object> ownSettings(String test, Map<String, Object> settings) {
        String own = test + "_" + UUID.randomUUID().toString().replace("-", "");
        Map<String, Object> all = new HashMap<>(settings);
        all.put("velocity.provisioner.cdc.slot-name", own);
        all.put("velocity.cleanup.kafka.application-id", "cleanup-" + own);
        return all;
    }
}
