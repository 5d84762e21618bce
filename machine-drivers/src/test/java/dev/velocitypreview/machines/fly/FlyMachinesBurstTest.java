package dev.velocitypreview.machines.fly;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineSpec;

/**
 * Five hundred creates at once queue in the driver instead of reaching Fly faster than its limit.
 * Fly's 1 request/s would make this take minutes, so the limit is scaled up (same burst of 3);
 * the property checked does not depend on the rate.
 */
class FlyMachinesBurstTest {

    private static final int CREATES = 500;
    private static final double PER_SECOND = 250;
    private static final int BURST = 3;

    @Test
    void aBurstOfFiveHundredCreatesStaysInsideTheRateLimit() throws Exception {
        AtomicLong ids = new AtomicLong(0x10000000000000L); // 14 hex digits, as Fly hands them out
        RecordingFly api = new RecordingFly(request -> "GET".equals(request.getMethod())
                ? RecordingFly.json(200, "[]")
                : RecordingFly.json(200, FlyMachinesDriverTest.machineJson(Long.toHexString(ids.incrementAndGet()), "created",
                        sessionOf(request), "ams", "\"stop\"", "2024-05-20T17:07:36Z")));
        try (MockWebServer fly = new MockWebServer()) {
            fly.setDispatcher(api);
            fly.start();
            FlyMachinesSettings settings = FlyMachinesSettings.of("test-token", FlyMachinesDriverTest.APP,
                            FlyMachinesDriverTest.IMAGE, List.of("ams"))
                    .withBaseUrl(URI.create(fly.url("/").toString()))
                    .withRateLimits(new FlyMachinesSettings.RateLimits(PER_SECOND, BURST, PER_SECOND, BURST));
            long before = System.nanoTime();
            List<Machine> machines = new ArrayList<>();
            ExecutorService callers = Executors.newFixedThreadPool(32);
            try (FlyMachinesDriver driver = new FlyMachinesDriver(settings)) {
                List<Future<Machine>> creates = new ArrayList<>();
                for (int i = 0; i < CREATES; i++) {
                    MachineSpec spec = new MachineSpec(UUID.randomUUID(), "user-1", UUID.randomUUID(), new MachineSize("shared", 1, 256),
                            "attempt-" + i, List.of(), Map.of());
                    creates.add(callers.submit(() -> driver.create(spec)));
                }
                for (Future<Machine> create : creates) {
                    machines.add(create.get(30, TimeUnit.SECONDS));
                }
            } finally {
                callers.shutdownNow();
            }

            List<RecordingFly.Arrival> posts = api.arrivals().stream()
                    .filter(arrival -> "POST".equals(arrival.request().getMethod())).toList();
            assertThat(machines).extracting(Machine::id).doesNotHaveDuplicates().hasSize(CREATES);
            assertThat(posts).hasSize(CREATES).allSatisfy(post -> {
                RecordedRequest request = post.request();
                assertThat(request.getUrl().encodedPath()).isEqualTo(FlyMachinesDriverTest.MACHINES);
                assertThat(request.getUrl().querySize()).isZero();
                JsonNode body = FlyApi.JSON.readTree(request.getBody().utf8());
                assertThat(body.path("region").asString()).isEqualTo("ams");
                assertThat(body.path("config").path("image").asString()).isEqualTo(FlyMachinesDriverTest.IMAGE);
            });
            assertThat(posts).extracting(post -> sessionOf(post.request())).doesNotHaveDuplicates();
            List<RecordedRequest> lookups = api.requests().stream().filter(request -> "GET".equals(request.getMethod())).toList();
            assertThat(lookups).hasSize(CREATES).allSatisfy(lookup -> {
                assertThat(lookup.getUrl().encodedPath()).isEqualTo(FlyMachinesDriverTest.MACHINES);
                assertThat(lookup.getUrl().queryParameterNames()).containsExactly("metadata.session_id");
            });
            // the k-th create cannot arrive before the bucket (full when the driver was made) let it through
            long interval = Math.round(1_000_000_000d / PER_SECOND);
            for (int k = 1; k <= posts.size(); k++) {
                long earliest = (long) Math.max(0, k - BURST) * interval;
                assertThat(posts.get(k - 1).nanos() - before).as("arrival of create %d", k).isGreaterThanOrEqualTo(earliest);
            }
            assertThat(Duration.ofNanos(posts.get(posts.size() - 1).nanos() - before))
                    .isGreaterThanOrEqualTo(Duration.ofNanos((CREATES - BURST) * interval));
        }
    }

    private static UUID sessionOf(RecordedRequest request) {
        JsonNode body = FlyApi.JSON.readTree(request.getBody().utf8());
        return UUID.fromString(body.path("config").path("metadata").path("session_id").asString());
    }
}
