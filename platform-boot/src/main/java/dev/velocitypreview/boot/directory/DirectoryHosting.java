package dev.velocitypreview.boot.directory;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What a service's session directory is made of, taken from the service's own settings.
 *
 * @param service          names the service in thread names, the temporary state directory and the admin
 *                         client's id, such as {@code router}
 * @param applicationId    Kafka Streams application id prefix; the instance id is appended, because the
 *                         directory's stores are global and instances share nothing
 * @param instanceId       this instance's suffix of the application id; a random one per start when null
 * @param bootstrapServers Kafka bootstrap servers
 * @param stateDir         Kafka Streams state directory; a temporary one, removed on stop, when null
 * @param streams          raw Kafka Streams settings (security and the like); they override everything
 *                         above, as Spring Boot's own {@code spring.kafka.streams.properties} do
 * @param createTopics     create the source topics when they are missing (broker defaults, the changelog
 *                         compacted), or wait for their writers to create them
 */
public record DirectoryHosting(String service, String applicationId, @Nullable String instanceId,
                               String bootstrapServers, @Nullable Path stateDir, Map<String, String> streams,
                               boolean createTopics) {

    public DirectoryHosting {
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(applicationId, "applicationId == null");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers == null");
        streams = Map.copyOf(Objects.requireNonNull(streams, "streams == null"));
    }
}
