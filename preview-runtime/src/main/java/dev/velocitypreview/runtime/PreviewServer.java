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
     */
    void serve(HttpExchange exchange) throws IOException;
}
