package dev.velocitypreview.provisioner.commands;

import java.time.Clock;

import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;

import dev.velocitypreview.provisioner.ProvisionerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import static org.assertj.core.api.Assertions.assertThat;

class CommandsConfigurationTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Support.class, CommandsConfiguration.class)
            // nothing listens there: a consumer that starts reaches no broker of anyone's
            .withPropertyValues("velocity.provisioner.kafka.bootstrap-servers=127.0.0.1:1");

    @Test
    void anIsolationLevelThatWouldLetAbortedCommandsThroughStopsTheStartNamingTheSetting() {
        context.withPropertyValues("velocity.provisioner.kafka.consumer.isolation.level=read_uncommitted")
                .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("kafka client setting isolation.level=read_uncommitted is not allowed here,"
                                + " it must be read_committed"));
    }

    @Test
    void springKafkasSharedIsolationLevelIsLaidUnderTheProvisionersOwnAndDoesNotBreakIt() {
        context.withPropertyValues("spring.kafka.consumer.isolation-level=read-uncommitted")
                .run(started -> assertThat(started).as("the provisioner's own setting is laid over Boot's")
                        .hasNotFailed());
    }

    @EnableConfigurationProperties({ProvisionerSettings.class, KafkaProperties.class})
    static class Support {
        @Bean
        CommandHandler handler() {
            return Mockito.mock(CommandHandler.class);
        }

        @Bean
        Clock clock() {
            return Clock.systemUTC();
        }

        @Bean
        MeterRegistry meters() {
            return new SimpleMeterRegistry();
        }
    }
}
