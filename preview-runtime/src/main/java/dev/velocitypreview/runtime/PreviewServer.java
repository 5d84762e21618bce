package dev.velocitypreview.runtime;

import java.io.IOException;

import com.sun.net.httpserver.HttpExchange;

/**
 * What answers the project's requests once its files are in place: today the files themselves
 * ({@link StaticFileServer}); a proxy to the project's dev server comes with templates.
 */
interface PreviewServer {

    /**
     * Answers one request other than {@code /health}; called on the HTTP server's threads, only
     * after the files are materialized. The caller closes the exchange.
     *
     * @param request what the project may see of it: read the path and query from here, not from the
     *                exchange, which still has the session prefix and the platform's preview token
     */
    void serve(HttpExchange exchange, ProjectRequest request) throws IOException;
}
