package dev.velocitypreview.sessions.files;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import dev.velocitypreview.boot.kafka.KafkaClientSettings;
import dev.velocitypreview.boot.kafka.SharedReplyPartition;
import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileTopics;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.sessions.SessionServiceProperties;

/** The files API's store and command sender, its Kafka clients laid out as every client of the service is. */
@Configuration(proxyBeanMethods = false)
class FilesConfiguration {

    @Bean
    ProjectFileStore projectFileStore(FilesProperties files) {
        FilesProperties.Datasource datasource = files.datasource();
        return datasource == null ? ProjectFileStore.unconfigured() : new JdbcProjectFileStore(datasource);
    }

    @Bean(destroyMethod = "destroy")
    DefaultKafkaProducerFactory<String, FileCommand> fileCommandProducerFactory(KafkaProperties spring,
            SessionServiceProperties properties, ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        Map<String, Object> typed = KafkaClientSettings.acknowledgedWithin("session-service-file-commands",
                properties.sendTimeout());
        typed.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // a command carries whole files; its topic takes records this large (FileTopics)
        typed.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, FileTopics.MAX_COMMAND_BYTES);
        return KafkaClientSettings.producerFactory(KafkaClientSettings.producer(spring, properties.kafka().bootstrapServers(),
                typed, properties.kafka().producer()), Topics.PROJECT_FILE_COMMANDS, customizers);
    }

    @Bean(destroyMethod = "destroy")
    KafkaFileCommands fileCommandSender(DefaultKafkaProducerFactory<String, FileCommand> fileCommandProducerFactory,
                                        KafkaProperties spring, SessionServiceProperties properties, FilesProperties files) {
        Map<String, Object> consumer = KafkaClientSettings.consumer(spring, properties.kafka().bootstrapServers(),
                SharedReplyPartition.consumerSettings(KafkaFileCommands.REPLY_READER), Map.of());
        return new KafkaFileCommands(fileCommandProducerFactory, consumer,
                KafkaClientSettings.adminLike(consumer, "session-service-file-topics"), properties.sendTimeout(),
                files.writeTimeout());
    }
}
