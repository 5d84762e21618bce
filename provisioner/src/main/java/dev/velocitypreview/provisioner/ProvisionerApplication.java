package dev.velocitypreview.provisioner;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.boot.web.context.reactive.StandardReactiveWebEnvironment;

/**
 * The provisioner: consumes session commands, is the only writer of sessions, projects and
 * files, and creates machines through a {@link dev.velocitypreview.machines.MachineDriver}.
 * Its web server is a management port only ({@code server.port}, 8083): health and
 * {@code /actuator/prometheus}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ProvisionerApplication {

    public static void main(String[] args) {
        start(Map.of(), args);
    }

    /**
     * Runs the provisioner with its own config file ({@code provisioner.yml}), so that several
     * services can share one JVM.
     *
     * @param properties override the config file; command-line {@code args} override both
     */
    public static ConfigurableApplicationContext start(Map<String, Object> properties, String... args) {
        Map<String, Object> own = new LinkedHashMap<>(properties);
        own.put("spring.config.name", "provisioner");
        StandardReactiveWebEnvironment environment = new StandardReactiveWebEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("provisioner-start", own));
        SpringApplication application = new SpringApplication(ProvisionerApplication.class);
        application.setEnvironment(environment);
        application.setWebApplicationType(WebApplicationType.REACTIVE);
        return application.run(args);
    }
}
