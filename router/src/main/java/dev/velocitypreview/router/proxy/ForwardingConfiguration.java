package dev.velocitypreview.router.proxy;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.router.RouterProperties;
import dev.velocitypreview.router.routing.DirectRoutes;
import dev.velocitypreview.router.routing.PreviewForwarder;
import dev.velocitypreview.router.routing.SessionUse;

/** Picks how routed requests reach their machines, from {@code velocity.router.mode}. */
@Configuration(proxyBeanMethods = false)
class ForwardingConfiguration {

    @Bean
    PreviewForwarder previewForwarder(RouterProperties properties, SessionUse use) {
        return switch (properties.mode()) {
            case PROXY -> new ReverseProxyForwarder(properties, use);
            case FLY_REPLAY -> new FlyReplayForwarder(properties.fly());
        };
    }

    /** The fast path of proxy mode; does nothing in the other modes. */
    @Bean
    DirectProxy directProxy(RouterProperties properties, DirectRoutes routes) {
        return new DirectProxy(properties.mode(), properties.connectTimeout(), routes);
    }
}
