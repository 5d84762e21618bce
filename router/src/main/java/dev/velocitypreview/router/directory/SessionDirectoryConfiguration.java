package dev.velocitypreview.router.directory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.router.RouterProperties;

/** The router's one session directory, started and closed with the application. */
@Configuration(proxyBeanMethods = false)
class SessionDirectoryConfiguration {

    @Bean
    SessionDirectoryLifecycle sessionDirectoryLifecycle(RouterProperties properties) {
        return SessionDirectoryLifecycle.create(properties.kafka());
    }

    // The lifecycle closes the directory on stop; Spring must not close it a second time.
    @Bean(destroyMethod = "")
    SessionDirectory sessionDirectory(SessionDirectoryLifecycle lifecycle) {
        return lifecycle.directory();
    }
}
