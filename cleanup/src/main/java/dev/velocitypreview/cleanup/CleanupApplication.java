package dev.velocitypreview.cleanup;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.web.context.reactive.StandardReactiveWebEnvironment;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import dev.velocitypreview.machines.MachineInventory;

/**
 * The cleanup service: a Kafka Streams application (consumer group {@code cleanup}) that ends what nobody
 * ends by hand (expiry, idle suspend, orphan machines, retention) by publishing commands; it never writes
 * the database. Its web server is a small management port (health, {@code /actuator/prometheus}).
 */
// The launcher runs every service in one JVM, where the provisioner brings JDBC and Flyway onto the
// classpath; cleanup has no database, hence the exclusions by name.
@SpringBootApplication(excludeName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"})
@ConfigurationPropertiesScan
public class CleanupApplication {

    /** The name of cleanup's configuration file ({@code cleanup.yml}) and of the application. */
    public static final String CONFIG_NAME = "cleanup";

    public static void main(String[] args) {
        start(Map.of(), args);
    }

    /**
     * Runs cleanup reading {@code cleanup.yml}; {@code properties} override that file, command-line
     * {@code args} override both. Reactive even when a servlet stack shares the classpath.
     */
    public static ConfigurableApplicationContext start(Map<String, Object> properties, String... args) {
        return start(properties, null, null, args);
    }

    /**
     * As {@link #start(Map, String...)}, with the clock deadlines are read on and the machine listing given
     * (tests drive time and machines this way); null takes the system clock and the configured inventory.
     */
    public static ConfigurableApplicationContext start(Map<String, Object> properties, @Nullable Clock clock,
                                                       @Nullable MachineInventory inventory, String... args) {
        Map<String, Object> merged = new LinkedHashMap<>();
        merged.put("spring.config.name", CONFIG_NAME);
        merged.putAll(properties);
        StandardReactiveWebEnvironment environment = new StandardReactiveWebEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("cleanup-start", merged));
        SpringApplication application = new SpringApplication(CleanupApplication.class);
        application.setWebApplicationType(WebApplicationType.REACTIVE);
        application.setEnvironment(environment);
        application.addInitializers(context -> {
            if (clock != null) {
                context.getBeanFactory().registerSingleton("clock", clock);
            }
            if (inventory != null) {
                context.getBeanFactory().registerSingleton("machineInventory", inventory);
            }
        });
        return application.run(args);
    }
}
