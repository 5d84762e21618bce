package dev.velocitypreview.sessions;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The session API: {@code POST/GET/DELETE /v1/sessions}. */
// The launcher runs every service in one JVM, where the provisioner brings JDBC and Flyway onto the
// classpath; the session service keeps no database of its own, hence the exclusions by name.
@SpringBootApplication(excludeName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"})
@ConfigurationPropertiesScan
public class SessionServiceApplication {

    /** Also the name of the configuration file, {@code session-service.yml}. */
    public static final String CONFIG_NAME = "session-service";

    public static void main(String[] args) {
        start(Map.of(), args);
    }

    /**
     * Runs the service with its own configuration file name, so that several services can share
     * one JVM. {@code properties} take precedence over the configuration file; command-line
     * arguments over both.
     */
    public static ConfigurableApplicationContext start(Map<String, Object> properties, String... args) {
        Map<String, Object> given = new HashMap<>(properties);
        given.putIfAbsent("spring.config.name", CONFIG_NAME);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("session-service-start", given));
        SpringApplication application = new SpringApplication(SessionServiceApplication.class);
        application.setEnvironment(environment);
        return application.run(args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
