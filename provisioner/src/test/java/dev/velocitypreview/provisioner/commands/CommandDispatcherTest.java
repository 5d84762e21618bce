package dev.velocitypreview.provisioner.commands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CommandDispatcherTest {

    private static final String TOPIC = "commands";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, List<Long>> processed = new ConcurrentHashMap<>();
    /** Per partition, the offsets whose acknowledgment was sent, in the order they were sent. */
    private final Map<Integer, List<Long>> acknowledged = new ConcurrentHashMap<>();
    private CommandDispatcher dispatcher;

    @AfterEach
    void closeDispatcher() {
        release.countDown();
        dispatcher.close(Duration.ofSeconds(5));
    }

    @Test
    void commandsOfOneSessionRunInOffsetOrder() {
        dispatcher = dispatcher(8, 1000, record -> record(record));
        dispatcher.assigned(List.of(P0));
        for (long offset = 0; offset < 200; offset++) {
            dispatch(record(0, offset, "session-" + (offset % 3)));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.inFlight() == 0);
        assertThat(processed).hasSize(3);
        processed.values().forEach(offsets -> assertThat(offsets).isSorted().hasSizeGreaterThanOrEqualTo(66));
    }

    @Test
    void aSlowSessionDoesNotHoldUpAnotherSession() throws InterruptedException {
        CountDownLatch fastDone = new CountDownLatch(3);
        dispatcher = dispatcher(4, 1000, record -> {
            if (key(record).equals("slow")) {
                awaitRelease();
            } else {
                fastDone.countDown();
            }
            record(record);
        });
        dispatcher.assigned(List.of(P0));
        dispatch(record(0, 0, "slow"));
        dispatch(record(0, 1, "fast-a"));
        dispatch(record(0, 2, "fast-b"));
        dispatch(record(0, 3, "fast-a"));

        assertThat(fastDone.await(5, TimeUnit.SECONDS)).as("other sessions finished while one was stuck").isTrue();
        assertThat(processed).doesNotContainKey("slow");
    }

    @Test
    void commitStopsBelowTheOldestUnfinishedRecordUntilItFinishes() {
        dispatcher = dispatcher(4, 1000, record -> {
            if (key(record).equals("slow")) {
                awaitRelease();
            }
            record(record);
        });
        dispatcher.assigned(List.of(P0, P1));
        dispatch(record(0, 10, "fast"));
        dispatch(record(0, 11, "slow"));
        dispatch(record(0, 12, "fast"));
        dispatch(record(1, 5, "other"));
        await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.inFlight() == 1);

        assertThat(acknowledged.get(0)).as("offset 12 finished, but 11 has not: only 10 is acknowledged")
                .containsExactly(10L);
        assertThat(acknowledged.get(1)).containsExactly(5L);

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.inFlight() == 0);
        assertThat(acknowledged.get(0)).as("11 finished: 12 covers both").containsExactly(10L, 12L);
    }

    @Test
    void aRecordThatCouldNotBeFinishedIsNeverCommittedPast() {
        dispatcher = dispatcher(2, 1000, record -> {
            if (record.offset() == 1) {
                throw new IllegalStateException("dead-letter topic did not acknowledge");
            }
            record(record);
        });
        dispatcher.assigned(List.of(P0));
        dispatch(record(0, 0, "a"));
        dispatch(record(0, 1, "b"));
        dispatch(record(0, 2, "c"));

        await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.inFlight() == 0);
        assertThat(acknowledged.get(0)).as("nothing past the record that could not be finished")
                .containsExactly(0L);
    }

    @Test
    void fetchingPausesAtTheInFlightBoundAndResumesOnceHalfHasDrained() {
        CountDownLatch releaseTwo = new CountDownLatch(1);
        dispatcher = dispatcher(4, 4, record -> {
            if (record.offset() < 2) {
                awaitLatch(releaseTwo);
            } else {
                awaitRelease();
            }
            record(record);
        });
        dispatcher.assigned(List.of(P0));
        for (long offset = 0; offset < 3; offset++) {
            dispatch(record(0, offset, "session-" + offset));
        }
        assertThat(dispatcher.overloaded()).isFalse();

        dispatch(record(0, 3, "session-3"));
        assertThat(dispatcher.overloaded()).isTrue();
        assertThat(dispatcher.drained()).isFalse();

        releaseTwo.countDown();
        await().atMost(Duration.ofSeconds(5)).until(dispatcher::drained);
        assertThat(dispatcher.overloaded()).isFalse();
    }

    @Test
    void recordsOfARevokedPartitionThatHaveNotStartedAreLeftForItsNextOwner() {
        CountDownLatch started = new CountDownLatch(1);
        dispatcher = dispatcher(1, 1000, record -> {
            started.countDown();
            awaitRelease();
            record(record);
        });
        dispatcher.assigned(List.of(P0));
        dispatch(record(0, 0, "running"));
        dispatch(record(0, 1, "queued"));
        awaitLatch(started);

        dispatcher.revoked(List.of(P0));
        release.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.inFlight() == 0);
        assertThat(processed).containsOnlyKeys("running");
        assertThat(acknowledged).as("nothing is acknowledged for a partition after it was revoked").isEmpty();
    }

    private CommandDispatcher dispatcher(int workers, int maxInFlight, CommandDispatcher.RecordProcessor processor) {
        return new CommandDispatcher(new SessionLanes(workers, "test-worker"), processor, maxInFlight, () -> {
        });
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> record) {
        dispatcher.dispatch(record, () -> acknowledged
                .computeIfAbsent(record.partition(), p -> new CopyOnWriteArrayList<>()).add(record.offset()));
    }

    private void record(ConsumerRecord<byte[], byte[]> record) {
        processed.computeIfAbsent(key(record), k -> new CopyOnWriteArrayList<>()).add(record.offset());
    }

    private void awaitRelease() {
        awaitLatch(release);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, String key) {
        return new ConsumerRecord<>(TOPIC, partition, offset, key.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }
}
