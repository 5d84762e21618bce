package dev.velocitypreview.router.proxy;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.router.RouterProperties;
import dev.velocitypreview.router.routing.PreviewForwarder;

/** Picks how routed requests reach their machines, from {@code velocity.router.mode}. */
@Configuration(proxyBeanMethods = false)
class ForwardingConfiguration {

    @Bean
    PreviewForwarder previewForwarder(RouterProperties properties) {
        return switch (properties.mode()) {
            case PROXY -> new ReverseProxyForwarder(properties);
            case FLY_REPLAY -> new FlyReplayForwarder(properties.fly());
        };
    }
}
