package dev.velocitypreview.router;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.web.context.reactive.StandardReactiveWebEnvironment;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The router: answers "where does session X live?" from a local session directory fed by Kafka and
 * holds, proxies or rejects requests to previews. It never talks to PostgreSQL.
 */
// The launcher runs every service in one JVM, where the provisioner brings JDBC and Flyway onto the
// classpath; the router must not pick them up (invariant 2), hence the exclusions by name.
@SpringBootApplication(excludeName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"})
@ConfigurationPropertiesScan
public class RouterApplication {

    /** The name of the router's configuration file ({@code router.yml}) and of the application. */
    public static final String CONFIG_NAME = "router";

    public static void main(String[] args) {
        start(Map.of(), args);
    }

    /**
     * Runs the router reading {@code router.yml}; {@code properties} override that file, command-line
     * {@code args} override both. Reactive even when a servlet stack shares the classpath.
     */
    public static ConfigurableApplicationContext start(Map<String, Object> properties, String... args) {
        Map<String, Object> merged = new LinkedHashMap<>();
        merged.put("spring.config.name", CONFIG_NAME);
        merged.putAll(properties);
        StandardReactiveWebEnvironment environment = new StandardReactiveWebEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("router-start", merged));
        SpringApplication application = new SpringApplication(RouterApplication.class);
        application.setWebApplicationType(WebApplicationType.REACTIVE);
        application.setEnvironment(environment);
        return application.run(args);
    }
}
