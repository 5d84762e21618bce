package dev.velocitypreview.cdc.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.util.SharedTopicAdmin;

import io.debezium.embedded.KafkaConnectUtil;

/**
 * Kafka Connect's {@link KafkaOffsetBackingStore} that closes the admin client it uses. Debezium 3.3's
 * embedded engine builds the plain store with a {@link SharedTopicAdmin} that nothing ever closes, which
 * leaks one admin client (a thread and a connection) per engine run; a relay restarts its engine after
 * every error, so the leak would grow without bound.
 *
 * <p>Not API: the engine instantiates it by class name ({@code offset.storage}), hence public with a
 * no-argument constructor. Needs the same settings as the plain store: {@code bootstrap.servers},
 * {@code offset.storage.topic}, {@code offset.storage.partitions}, {@code offset.storage.replication.factor}.
 * Its Kafka clients are named after the engine's {@code name}.
 */
public final class OwnedAdminKafkaOffsetBackingStore extends KafkaOffsetBackingStore {

    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** What the superclass's suppliers read; known only once {@link #configure} runs. */
    private static final class Clients {
        private volatile SharedTopicAdmin admin;
        private volatile String clientIdBase = "velocity-cdc";
    }

    private final Clients clients;

    public OwnedAdminKafkaOffsetBackingStore() {
        this(new Clients());
    }

    private OwnedAdminKafkaOffsetBackingStore(Clients clients) {
        super(() -> {
            SharedTopicAdmin admin = clients.admin;
            if (admin == null) {
                throw new IllegalStateException("offset store used before configure()");
            }
            return admin.get();
        }, () -> clients.clientIdBase, KafkaConnectUtil.converterForOffsetStore());
        this.clients = clients;
    }

    @Override
    public void configure(WorkerConfig config) {
        Object engineName = config.originals().get("name");
        if (engineName != null) {
            clients.clientIdBase = engineName.toString();
        }
        Map<String, Object> adminConfig = new HashMap<>(config.originals());
        adminConfig.put(CommonClientConfigs.CLIENT_ID_CONFIG, clients.clientIdBase + "-offsets-admin");
        closeAdmin();
        clients.admin = new SharedTopicAdmin(adminConfig);
        super.configure(config);
    }

    @Override
    public void stop() {
        try {
            super.stop();
        } finally {
            closeAdmin();
        }
    }

    private void closeAdmin() {
        SharedTopicAdmin admin = clients.admin;
        clients.admin = null;
        if (admin != null) {
            admin.close(ADMIN_CLOSE_TIMEOUT);
        }
    }
}
