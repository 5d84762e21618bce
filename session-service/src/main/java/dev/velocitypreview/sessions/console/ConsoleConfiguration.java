package dev.velocitypreview.sessions.console;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The console's metrics sources and its script and style sheet ({@code /console/assets/**}). */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration implements WebMvcConfigurer {

    @Bean
    MetricsSources consoleMetricsSources(ObjectProvider<PrometheusMeterRegistry> registry, ConsoleProperties properties) {
        return new MetricsSources(registry.getIfAvailable(), properties);
    }

    /** The service maps no static files by default ({@code spring.web.resources.add-mappings: false}); these alone. */
    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/console/assets/**").addResourceLocations("classpath:/console/assets/");
    }
}
