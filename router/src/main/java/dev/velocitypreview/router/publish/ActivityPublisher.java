package dev.velocitypreview.router.publish;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.core.topic.Topics;

/**
 * Publishes {@link SessionsInUse} to {@code preview.session-activity} every interval, on a thread of its own, once
 * an admin client saw the topic exist (the router never creates it). What cannot be published (the topic missing,
 * the broker not acknowledging) is dropped and counted; nothing here ever holds up a request.
 */
final class ActivityPublisher implements SmartLifecycle {

    static final String RECORDS = "velocity.router.activity.records";
    /** How long asking whether the topic exists may take, on the publishing thread. */
    private static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(ActivityPublisher.class);

    private final SessionsInUse inUse;
    private final KafkaTemplate<String, SessionActivity> template;
    private final Map<String, Object> adminConfig;
    private final Duration interval;
    private final Counter published;
    private final Counter topicMissing;
    private final Counter notAcknowledged;
    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
    private @Nullable Admin admin;
    private @Nullable ScheduledFuture<?> flushing;
    /** Whether the topic was seen to exist; asked again after a send failed. Only the publishing thread writes it. */
    private volatile boolean topicExists;
    private volatile boolean running;

    ActivityPublisher(SessionsInUse inUse, KafkaTemplate<String, SessionActivity> template,
                      Map<String, Object> adminConfig, Duration interval, MeterRegistry registry) {
        this.inUse = inUse;
        this.template = template;
        this.adminConfig = Map.copyOf(adminConfig);
        this.interval = interval;
        this.published = records(registry, "published");
        this.topicMissing = records(registry, "topic_missing");
        this.notAcknowledged = records(registry, "not_acknowledged");
        scheduler.setThreadNamePrefix("router-activity-");
        scheduler.setDaemon(true);
    }

    /** The counter of activity records by outcome. */
    static Counter records(MeterRegistry registry, String outcome) {
        return Counter.builder(RECORDS)
                .description("session activity records this router published to cleanup, or dropped, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    @Override
    public void start() {
        scheduler.initialize();
        admin = Admin.create(adminConfig);
        // a fixed delay, not a rate: a slow flush never makes the next one come sooner than the interval
        flushing = scheduler.scheduleWithFixedDelay(this::flush, interval);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (flushing != null) {
            flushing.cancel(false);
        }
        scheduler.shutdown();
        try {
            // the last sightings of this router, before its producer closes
            flush();
        } finally {
            if (admin != null) {
                admin.close(TOPIC_CHECK_TIMEOUT);
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Publishes what was seen since the last flush; runs on the publishing thread only. */
    void flush() {
        List<SessionActivity> batch = inUse.drain();
        if (batch.isEmpty()) {
            return;
        }
        if (!topicExists) {
            topicExists = topicExists();
        }
        if (!topicExists) {
            topicMissing.increment(batch.size());
            LOG.atDebug().addKeyValue("topic", Topics.SESSION_ACTIVITY.name()).addKeyValue("dropped", batch.size())
                    .log("activity dropped: the topic does not exist (cleanup is not deployed)");
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            SessionActivity activity = batch.get(i);
            CompletableFuture<?> ack;
            try {
                ack = template.send(Topics.SESSION_ACTIVITY.name(), activity.sessionId().toString(), activity);
            } catch (RuntimeException e) {
                ack = CompletableFuture.failedFuture(e);
            }
            if (ack.isCompletedExceptionally()) {
                // refused at once (no metadata within max.block.ms, a full buffer): the rest would wait as long
                int dropped = batch.size() - i;
                notAcknowledged.increment(dropped);
                topicExists = false;
                LOG.atDebug().addKeyValue("dropped", dropped).addKeyValue("cause", causeOf(ack))
                        .log("activity dropped: kafka refused it");
                return;
            }
            ack.whenComplete((result, error) -> {
                if (error == null) {
                    published.increment();
                } else {
                    notAcknowledged.increment();
                    topicExists = false;
                    LOG.atDebug().addKeyValue("session", activity.sessionId()).addKeyValue("cause", error.toString())
                            .log("activity dropped: not acknowledged");
                }
            });
        }
    }

    private boolean topicExists() {
        Admin client = admin;
        if (client == null) {
            return false;
        }
        try {
            client.describeTopics(List.of(Topics.SESSION_ACTIVITY.name())).allTopicNames()
                    .get(TOPIC_CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                LOG.atDebug().addKeyValue("cause", String.valueOf(e.getCause())).log("cannot tell whether the activity topic exists");
            }
            return false;
        } catch (TimeoutException | KafkaException e) {
            LOG.atDebug().addKeyValue("cause", e.toString()).log("cannot tell whether the activity topic exists");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String causeOf(CompletableFuture<?> failed) {
        return failed.handle((result, error) -> String.valueOf(error)).getNow("none");
    }
}
