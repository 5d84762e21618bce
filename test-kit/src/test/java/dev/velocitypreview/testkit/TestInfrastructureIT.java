package dev.velocitypreview.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestInfrastructureIT {

    @Test
    void postgresRunsWithLogicalReplicationAndHandsOutIsolatedDatabases() throws Exception {
        TestDatabase first = TestPostgres.shared().createDatabase();
        TestDatabase second = TestPostgres.shared().createDatabase();
        assertThat(first.name()).isNotEqualTo(second.name());

        try (Connection connection = first.dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SHOW wal_level")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("logical");
            }
            try (ResultSet rs = statement.executeQuery("SHOW synchronous_commit")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("on");
            }
            String slot = "kit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            statement.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            statement.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    @Test
    void aDedicatedBrokerKeepsItsRecordsAcrossARestart() {
        try (TestKafka kafka = TestKafka.startDedicated()) {
            String topic = "kit-" + UUID.randomUUID();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "before restart")).get();
            } catch (Exception e) {
                throw new AssertionError(e);
            }

            kafka.stop();
            kafka.start();

            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "kit-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                List<String> seen = new java.util.ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (seen.isEmpty() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                        seen.add(record.value());
                    }
                }
                assertThat(seen).containsExactly("before restart");
            }
        }
    }
}
