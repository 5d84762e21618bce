package dev.velocitypreview.router.routing;

import java.util.Map;

import dev.velocitypreview.core.session.SessionView;
import reactor.core.publisher.Mono;

/**
 * What a starting session's machine says of its own steps: the preview runtime's {@code GET /health} checks, by
 * name ({@code files}, {@code install}, {@code dev-server}) to status ({@code pending}, {@code running}, {@code ok},
 * {@code skipped}, {@code failed}).
 */
interface MachineHealth {

    /**
     * The checks of {@code session}'s machine, asked once; empty when the machine cannot be asked (no address, not
     * reachable from this router, an answer that is not the runtime's). Never an error, and bounded in time.
     */
    Mono<Map<String, String>> checks(SessionView session);
}
