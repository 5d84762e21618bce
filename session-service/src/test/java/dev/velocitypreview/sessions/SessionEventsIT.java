package dev.velocitypreview.sessions;

import static dev.velocitypreview.sessions.RunningSessionService.json;
import static dev.velocitypreview.sessions.TestTokens.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.sessions.events.SessionEventStreams;
import dev.velocitypreview.testkit.TestKafka;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/sessions/{id}/events} over real HTTP against a real broker; this test plays the provisioner and
 * the CDC relay by writing rows to {@code preview.sessions} itself, as {@link SessionServiceIT} does.
 */
class SessionEventsIT {

    private static final String AUTHORIZATION = "Authorization";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration READ = Duration.ofSeconds(15);

    private static RunningSessionService service;
    private static KafkaProducer<String, SessionView> changelog;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String user = "user-" + UUID.randomUUID();

    @BeforeAll
    static void start() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        service = RunningSessionService.start(bootstrap, Map.of(
                "velocity.session-service.preview-base-url", "http://localhost:8081",
                "velocity.session-service.public-base-url", "http://api.test",
                "velocity.session-service.auth.hs256-secret", TestTokens.SECRET,
                "velocity.session-service.preview-token-secret", TestTokens.PREVIEW_SECRET,
                // short, so the test sees a heartbeat without waiting out the default 15 s
                "velocity.session-service.events.heartbeat", "200ms")).awaitReady();
        changelog = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                Topics.SESSIONS.keySerde().serializer(), Topics.SESSIONS.valueSerde().serializer());
    }

    @AfterAll
    static void stop() {
        if (changelog != null) {
            changelog.close();
        }
        if (service != null) {
            service.close();
        }
    }

    @Test
    void streamDeliversEveryStatusInOrderWithItsVersionAndClosesAfterTerminated() throws Exception {
        UUID id = created();
        try (EventStream stream = EventStream.open(id, TestTokens.user(user), null)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("text/event-stream"));
            Event first = stream.next();
            assertThat(first.id()).isEqualTo("0");
            assertThat(first.status()).isEqualTo("REQUESTED");

            // written in one go: the stream still gets every change, in order, not only the newest
            publishRows(row(id, user, SessionStatus.PROVISIONING, 1), row(id, user, SessionStatus.STARTING, 2),
                    row(id, user, SessionStatus.ACTIVE, 3), row(id, user, SessionStatus.TERMINATED, 4));

            List<Event> rest = List.of(stream.next(), stream.next(), stream.next(), stream.next());
            assertThat(rest).extracting(Event::id).containsExactly("1", "2", "3", "4");
            assertThat(rest).extracting(Event::status).containsExactly("PROVISIONING", "STARTING", "ACTIVE", "TERMINATED");
            assertThat(rest).allSatisfy(event -> {
                assertThat(event.name()).isEqualTo("session");
                assertThat(event.data().get("id").stringValue()).isEqualTo(id.toString());
                assertThat(event.data().get("version").longValue()).isEqualTo(Long.parseLong(event.id()));
            });
            assertThat(rest.get(2).data().get("machineId").stringValue()).isEqualTo("machine-3");
            stream.awaitEnd();
        }
        await().atMost(READ).until(() -> service.bean(SessionEventStreams.class).openStreams() == 0);
    }

    @Test
    void reconnectingWithLastEventIdResumesAfterItAndNeverResendsAnOlderView() throws Exception {
        UUID id = created();
        try (EventStream stream = EventStream.open(id, TestTokens.user(user), null)) {
            assertThat(stream.next().status()).isEqualTo("REQUESTED");
            publishRows(row(id, user, SessionStatus.PROVISIONING, 1));
            assertThat(stream.next().id()).isEqualTo("1");
        }
        // changes while the client was away
        publishRows(row(id, user, SessionStatus.STARTING, 2), row(id, user, SessionStatus.ACTIVE, 3));
        await().atMost(READ).until(() -> json(get(id)).get("version").longValue() == 3);

        try (EventStream resumed = EventStream.open(id, TestTokens.user(user), "1")) {
            Event current = resumed.next();
            assertThat(current.id()).isEqualTo("3");
            assertThat(current.status()).isEqualTo("ACTIVE");
            // a replayed older row changes nothing on the stream
            publishRows(row(id, user, SessionStatus.STARTING, 2), row(id, user, SessionStatus.TERMINATED, 4));
            Event terminated = resumed.next();
            assertThat(terminated.id()).isEqualTo("4");
            assertThat(terminated.status()).isEqualTo("TERMINATED");
            resumed.awaitEnd();
        }
        // a client that has seen the end gets no event and a closed stream
        try (EventStream seen = EventStream.open(id, TestTokens.user(user), "4")) {
            assertThat(seen.response.statusCode()).isEqualTo(200);
            seen.awaitEnd();
            assertThat(seen.events).isEmpty();
        }
    }

    @Test
    void anIdleStreamGetsKeepAliveComments() throws Exception {
        UUID id = created();
        try (EventStream stream = EventStream.open(id, TestTokens.user(user), null)) {
            assertThat(stream.next().status()).isEqualTo("REQUESTED");
            assertThat(stream.nextComment()).isEqualTo(": keep-alive");
        }
    }

    @Test
    void someoneElsesOrAnUnknownSessionIsNotFoundAndAnAdminMayWatchAnyone() throws Exception {
        UUID id = created();
        HttpResponse<String> others = service.send(service.request("/v1/sessions/" + id + "/events")
                .header(AUTHORIZATION, bearer(TestTokens.user("someone-else"))).GET());
        assertThat(others.statusCode()).isEqualTo(404);
        assertThat(others.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(others).get("detail").stringValue()).contains("not found");
        HttpResponse<String> unknown = service.send(service.request("/v1/sessions/" + UUID.randomUUID() + "/events")
                .header(AUTHORIZATION, bearer(TestTokens.user(user))).GET());
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> badResume = service.send(service.request("/v1/sessions/" + id + "/events")
                .header(AUTHORIZATION, bearer(TestTokens.user(user))).header("Last-Event-ID", "yesterday").GET());
        assertThat(badResume.statusCode()).isEqualTo(400);
        assertThat(json(badResume).get("code").stringValue()).isEqualTo("invalid_last_event_id");

        try (EventStream admin = EventStream.open(id, TestTokens.admin("ops-" + UUID.randomUUID()), null)) {
            Event first = admin.next();
            assertThat(first.status()).isEqualTo("REQUESTED");
            // the preview token is the owner's alone
            JsonNode token = first.data().get("previewToken");
            assertThat(token == null || token.isNull()).isTrue();
        }
        await().atMost(READ).until(() -> service.bean(SessionEventStreams.class).openStreams() == 0);
    }

    private UUID created() {
        HttpResponse<String> response = service.send(service.request("/v1/sessions").header("Content-Type", "application/json")
                .header(AUTHORIZATION, bearer(TestTokens.user(user, Tier.TEAM)))
                .POST(BodyPublishers.ofString("{\"projectId\":\"" + UUID.randomUUID() + "\"}")));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        UUID id = UUID.fromString(json(response).get("sessionId").stringValue());
        await().atMost(READ).until(() -> get(id).statusCode() == 200);
        return id;
    }

    private HttpResponse<String> get(UUID id) {
        return service.send(service.request("/v1/sessions/" + id).header(AUTHORIZATION, bearer(TestTokens.user(user))).GET());
    }

    private static SessionView row(UUID id, String owner, SessionStatus status, long version) {
        Instant now = Instant.parse("2026-01-01T10:00:00Z");
        return new SessionView(id, owner, UUID.randomUUID(), status, status.isTerminal() ? TerminationReason.USER : null,
                null, status == SessionStatus.ACTIVE ? "machine-" + version : null,
                status == SessionStatus.ACTIVE ? "http://127.0.0.1:40000" : null, "local", Tier.FREE, null, version,
                now, now, now.plusSeconds(version), null, now.plusSeconds(3600), null, null);
    }

    /** Rows the way the CDC relay writes them: keyed by session id, so one session's rows keep their order. */
    private static void publishRows(SessionView... rows) throws Exception {
        for (SessionView row : rows) {
            changelog.send(new ProducerRecord<>(Topics.SESSIONS.name(), row.id().toString(), row)).get();
        }
    }

    record Event(String id, String name, JsonNode data) {
        String status() {
            return data.get("status").stringValue();
        }
    }

    /** A stream read line by line on a thread of its own; events and comments come out as they are complete. */
    static final class EventStream implements AutoCloseable {

        private static final Object END = new Object();
        final HttpResponse<Stream<String>> response;
        final List<Event> events = new ArrayList<>();
        private final BlockingQueue<Object> read = new LinkedBlockingQueue<>();
        private final Thread reader;

        private EventStream(HttpResponse<Stream<String>> response) {
            this.response = response;
            this.reader = new Thread(this::read, "sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static EventStream open(UUID id, String token, @Nullable String lastEventId) {
            HttpRequest.Builder request = service.request("/v1/sessions/" + id + "/events")
                    .timeout(Duration.ofSeconds(60))
                    .header(AUTHORIZATION, bearer(token)).header("Accept", "text/event-stream").GET();
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            try {
                return new EventStream(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        private void read() {
            String id = null;
            String name = null;
            StringBuilder data = null;
            try {
                var lines = response.body().iterator();
                while (lines.hasNext()) {
                    String line = lines.next();
                    if (line.isEmpty()) {
                        if (data != null) {
                            read.add(new Event(id, name, JSON.readTree(data.toString())));
                        }
                        id = null;
                        name = null;
                        data = null;
                    } else if (line.startsWith(":")) {
                        read.add(line);
                    } else if (line.startsWith("id:")) {
                        id = value(line);
                    } else if (line.startsWith("event:")) {
                        name = value(line);
                    } else if (line.startsWith("data:")) {
                        data = (data == null ? new StringBuilder() : data.append('\n')).append(value(line));
                    }
                }
            } catch (UncheckedIOException e) {
                // closed by the test
            } finally {
                read.add(END);
            }
        }

        private static String value(String line) {
            String value = line.substring(line.indexOf(':') + 1);
            return value.startsWith(" ") ? value.substring(1) : value;
        }

        /** The next event, skipping comments. */
        Event next() throws InterruptedException {
            while (true) {
                Object item = read.poll(READ.toSeconds(), TimeUnit.SECONDS);
                assertThat(item).as("an event within " + READ).isNotNull().isNotSameAs(END);
                if (item instanceof Event event) {
                    events.add(event);
                    return event;
                }
            }
        }

        String nextComment() throws InterruptedException {
            while (true) {
                Object item = read.poll(READ.toSeconds(), TimeUnit.SECONDS);
                assertThat(item).as("a comment within " + READ).isNotNull().isNotSameAs(END);
                if (item instanceof String comment) {
                    return comment;
                }
                events.add((Event) item);
            }
        }

        /** Waits until the server closed the stream; collects what came before. */
        void awaitEnd() throws InterruptedException {
            while (true) {
                Object item = read.poll(READ.toSeconds(), TimeUnit.SECONDS);
                assertThat(item).as("the end of the stream within " + READ).isNotNull();
                if (item == END) {
                    return;
                }
                if (item instanceof Event event) {
                    events.add(event);
                }
            }
        }

        @Override
        public void close() {
            response.body().close();
        }
    }
}
