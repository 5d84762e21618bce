package dev.velocitypreview.boot.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.GenericMessageListenerContainer;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;
import org.springframework.kafka.support.TopicPartitionOffset;

/**
 * The reply side of a request/reply through spring-kafka's {@link ReplyingKafkaTemplate} (or one of its subclasses),
 * for a service of several instances: the replies are read from partition 0 of a reply topic every instance shares,
 * assigned rather than subscribed (so instances never wait for each other in a group), each instance ignoring the
 * replies to the others' requests. The reader starts from where the partition ended just before the first request,
 * looked up rather than "latest": a start at the end would be resolved at the reader's first poll, and could skip a
 * reply that came before it.
 *
 * <p>The template is started on first use, not with the application: started earlier, its consumer would ask about a
 * reply topic that may not exist yet (or ever, when the answering service is not deployed) and log so every few
 * seconds.
 *
 * @param <R> what the template's container delivers: a reply, or the collection an aggregating template builds
 * @param <T> the template
 */
public final class SharedReplyPartition<R, T extends ReplyingKafkaTemplate<String, ?, R>> implements DisposableBean {

    /** What must be done before the first request: make sure of the topics, then find where the replies end. */
    @FunctionalInterface
    public interface FirstStart {
        /** @return the offset to read the replies from, as {@link #end} finds it */
        long replyOffset() throws InterruptedException, ExecutionException, TimeoutException;
    }

    private final String topic;
    private final String name;
    private final ConsumerFactory<String, R> consumers;
    private final Duration replyTimeout;
    private final Function<GenericMessageListenerContainer<String, R>, T> templates;
    private final ReentrantLock starting = new ReentrantLock();
    private volatile @Nullable T template;

    /**
     * @param topic the reply topic
     * @param name the reader's consumer group (used for the offsets the template commits only) and container name,
     *             as {@link #consumerSettings} names the client
     * @param templates makes the template around the reply container it is given
     */
    public SharedReplyPartition(String topic, String name, ConsumerFactory<String, R> consumers, Duration replyTimeout,
                                Function<GenericMessageListenerContainer<String, R>, T> templates) {
        this.topic = topic;
        this.name = name;
        this.consumers = consumers;
        this.replyTimeout = replyTimeout;
        this.templates = templates;
    }

    /** The typed settings of the reply reader named {@code name}: it commits by hand, and never creates a topic. */
    public static Map<String, Object> consumerSettings(String name) {
        return Map.of(ConsumerConfig.CLIENT_ID_CONFIG, name,
                ConsumerConfig.GROUP_ID_CONFIG, name,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // the topic is made with its own settings (by the answering service, or before the first request),
                // never by a reader with the broker's defaults
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    }

    /** Where partition 0 of {@code topic} ends now. */
    public static long end(Admin admin, String topic, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        TopicPartition partition = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
    }

    /**
     * The started template; the first call (or the first after one whose {@code first} failed) runs {@code first}
     * and starts it, concurrent callers waiting for that.
     */
    public T started(FirstStart first) throws InterruptedException, ExecutionException, TimeoutException {
        T ready = template;
        if (ready != null) {
            return ready;
        }
        starting.lock();
        try {
            T current = template;
            if (current == null) {
                current = create(first.replyOffset());
                current.start();
                template = current;
            }
            return current;
        } finally {
            starting.unlock();
        }
    }

    private T create(long replyOffset) {
        ContainerProperties properties = new ContainerProperties(new TopicPartitionOffset(topic, 0, replyOffset));
        properties.setGroupId(name);
        properties.setAckMode(ContainerProperties.AckMode.MANUAL);
        KafkaMessageListenerContainer<String, R> container = new KafkaMessageListenerContainer<>(consumers, properties);
        container.setBeanName(name);
        T created = templates.apply(container);
        created.setDefaultReplyTimeout(replyTimeout);
        // the reply partition is read by every instance: replies to another instance's requests are no error
        created.setSharedReplyTopic(true);
        return created;
    }

    @Override
    public void destroy() {
        T running = template;
        template = null;
        if (running != null) {
            running.stop();
            running.destroy();
        }
    }
}
