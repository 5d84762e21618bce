package dev.velocitypreview.sessions;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the session service, under {@code velocity.session-service}.
 *
 * @param kafka                how the service reaches Kafka
 * @param directory            the local view of sessions that answers reads
 * @param previewBaseUrl       where previews are served; a session's previewUrl is {@code <base>/s/<id>/}
 * @param publicBaseUrl        this API's address as clients see it; a session's statusUrl is
 *                             {@code <base>/v1/sessions/<id>}
 * @param unknownSessionGrace  how long a read of a session the view does not know yet waits for it
 *                             before answering 404 (the view may trail a 202 by milliseconds)
 * @param maxRequestBody       largest request body accepted; larger ones get 413
 * @param sendTimeout          how long a command may take to be acknowledged by Kafka before the
 *                             request answers 503 instead of 202
 */
@ConfigurationProperties("velocity.session-service")
public record SessionServiceProperties(
        @DefaultValue Kafka kafka,
        @DefaultValue Directory directory,
        @DefaultValue("http://localhost:8081") URI previewBaseUrl,
        @DefaultValue("http://localhost:8080") URI publicBaseUrl,
        @DefaultValue("2s") Duration unknownSessionGrace,
        @DefaultValue("16KB") DataSize maxRequestBody,
        @DefaultValue("5s") Duration sendTimeout) {

    public SessionServiceProperties {
        Objects.requireNonNull(kafka, "kafka == null");
        Objects.requireNonNull(directory, "directory == null");
        requireHttpUrl("preview-base-url", previewBaseUrl);
        requireHttpUrl("public-base-url", publicBaseUrl);
        if (unknownSessionGrace == null || unknownSessionGrace.isNegative()) {
            throw new IllegalArgumentException("unknown-session-grace must be zero or positive, got " + unknownSessionGrace);
        }
        if (maxRequestBody == null || maxRequestBody.toBytes() < 1 || maxRequestBody.toBytes() > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("max-request-body must be between 1B and 2GB, got " + maxRequestBody);
        }
        if (sendTimeout == null || sendTimeout.toMillis() < 1 || sendTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("send-timeout must be at least 1ms and fit in an int of milliseconds, got "
                    + sendTimeout);
        }
    }

    private static void requireHttpUrl(String name, @Nullable URI url) {
        if (url == null || url.getHost() == null
                || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException(name + " must be an absolute http(s) URL, got " + url);
        }
    }

    /**
     * @param bootstrapServers Kafka bootstrap servers, for the producer, the view and topic setup
     * @param producer         raw producer settings (for example {@code compression.type}, security);
     *                         bootstrap servers, serializers, {@code acks}, idempotence,
     *                         {@code linger.ms} and the timeouts derived from send-timeout always win
     * @param streams          raw Kafka Streams settings for the view (for example security);
     *                         {@code application.id}, bootstrap servers and {@code state.dir} always win
     * @param createTopics     create the command and changelog topics with broker defaults when
     *                         they are missing; when false, the view waits until someone else has
     */
    public record Kafka(
            @DefaultValue("localhost:9092") String bootstrapServers,
            @Nullable Map<String, String> producer,
            @Nullable Map<String, String> streams,
            @DefaultValue("true") boolean createTopics) {

        public Kafka {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("kafka.bootstrap-servers must not be blank");
            }
            producer = producer == null ? Map.of() : Map.copyOf(producer);
            streams = streams == null ? Map.of() : Map.copyOf(streams);
        }
    }

    /**
     * @param applicationId Kafka Streams application id of the view; the instance id is appended,
     *                      because every instance keeps a complete view of its own
     * @param instanceId    this instance's suffix for the application id; random when empty
     * @param stateDir      Kafka Streams state directory (the view is in memory; Kafka Streams keeps
     *                      only its lock files here); a folder under the system temp dir when empty
     */
    public record Directory(
            @DefaultValue("velocity-session-service") String applicationId,
            @Nullable String instanceId,
            @Nullable Path stateDir) {

        public Directory {
            if (applicationId == null || applicationId.isBlank()) {
                throw new IllegalArgumentException("directory.application-id must not be blank");
            }
            if (instanceId != null && instanceId.isBlank()) {
                instanceId = null;
            }
        }
    }
}
