package dev.velocitypreview.router.routing;

import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * Sends a request for an ACTIVE session on to where the session runs: a reverse proxy here, a
 * replay to another instance on Fly.
 *
 * <p>Called once per routed request, on a reactor thread, after the router decided to route; must not
 * block. Implementations write the whole response (status, headers, body) or fail.
 */
public interface PreviewForwarder {

    /**
     * @return completes when the response has been written; errors with {@link MachineUnreachableException}
     *         when the machine could not be reached and nothing was written, so the router can answer 502
     */
    Mono<Void> forward(ServerWebExchange exchange, ForwardTarget target);
}
