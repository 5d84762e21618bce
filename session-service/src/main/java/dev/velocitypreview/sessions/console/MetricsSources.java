package dev.velocitypreview.sessions.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * This process's registry and the configured {@code /actuator/prometheus} URLs, scraped side by side on each
 * refresh of the console, every one within the scrape timeout. A source that fails is reported unavailable with
 * the reason, never thrown: one process down must not take the console with it.
 */
@Component
final class MetricsSources {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsSources.class);
    /** Prometheus' text format, which every Spring Boot actuator answers. */
    private static final String ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

    private final @Nullable PrometheusMeterRegistry own;
    private final List<URI> sources;
    private final Duration timeout;
    private final HttpClient http;

    MetricsSources(ObjectProvider<PrometheusMeterRegistry> registry, ConsoleProperties properties) {
        this.own = registry.getIfAvailable();
        this.sources = properties.metricsSources();
        this.timeout = properties.scrapeTimeout();
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Every source, this process first, in the configured order; blocks for at most the scrape timeout. */
    List<MetricsScrape> scrape() {
        List<CompletableFuture<MetricsScrape>> pending = new ArrayList<>();
        for (URI source : sources) {
            pending.add(scrape(source));
        }
        List<MetricsScrape> scrapes = new ArrayList<>();
        scrapes.add(own == null
                ? MetricsScrape.unavailable(MetricsScrape.THIS_PROCESS, "no Prometheus registry in this process")
                : MetricsScrape.answered(MetricsScrape.THIS_PROCESS, PrometheusText.parse(own.scrape())));
        for (CompletableFuture<MetricsScrape> scrape : pending) {
            scrapes.add(scrape.join());
        }
        return scrapes;
    }

    private CompletableFuture<MetricsScrape> scrape(URI source) {
        HttpRequest request = HttpRequest.newBuilder(source).timeout(timeout).header("Accept", ACCEPT).GET().build();
        String name = source.toString();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                // the request timeout bounds the wait for the headers; this bounds the body too
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error != null) {
                        String reason = reason(error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error);
                        LOG.atDebug().addKeyValue("source", name).addKeyValue("error", reason).log("metrics source unavailable");
                        return MetricsScrape.unavailable(name, reason);
                    }
                    if (response.statusCode() != 200) {
                        return MetricsScrape.unavailable(name, "answered " + response.statusCode());
                    }
                    return MetricsScrape.answered(name, PrometheusText.parse(response.body()));
                });
    }

    private String reason(Throwable error) {
        if (error instanceof TimeoutException || error instanceof HttpTimeoutException
                && !(error instanceof HttpConnectTimeoutException)) {
            return "no answer within " + timeout;
        }
        if (error instanceof HttpConnectTimeoutException) {
            return "no connection within " + timeout;
        }
        if (error instanceof IOException) {
            return "not reachable (" + error.getClass().getSimpleName() + ")";
        }
        return "failed (" + error.getClass().getSimpleName() + ")";
    }
}
