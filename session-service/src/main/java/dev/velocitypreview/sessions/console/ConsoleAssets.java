package dev.velocitypreview.sessions.console;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The console's script and style sheet ({@code /console/assets/**}). The service maps no static files otherwise
 * ({@code spring.web.resources.add-mappings: false}).
 */
@Configuration(proxyBeanMethods = false)
class ConsoleAssets implements WebMvcConfigurer {

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/console/assets/**").addResourceLocations("classpath:/console/assets/");
    }
}
