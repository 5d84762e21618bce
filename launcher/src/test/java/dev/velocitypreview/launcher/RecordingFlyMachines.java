package dev.velocitypreview.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * The far side of Fly for a whole platform: the Machines API of one app, answering with the documented shapes
 * (create, get, list by metadata, wait, destroy) and recording every request; and the machines' runtimes,
 * which answer {@code /health} and serve each session's {@code index.html} from the bundle its create carried,
 * finding the session by the {@code X-Forwarded-Prefix} (path style) or {@code X-Forwarded-Host} (host style) the
 * router sends in proxy mode.
 */
final class RecordingFlyMachines implements AutoCloseable {

    static final String APP = "velocity-previews";
    static final String TOKEN = "fly-e2e-token";
    static final String MACHINES = "/v1/apps/" + APP + "/machines";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MockWebServer api = new MockWebServer();
    private final MockWebServer runtimes = new MockWebServer();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private final Map<String, FlyMachine> machines = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(0x3d8d9e1b2c4e00L);

    /** A machine as this stand-in keeps it; {@code config} is what the create sent. */
    private record FlyMachine(String id, String region, JsonNode config, String createdAt, String state) {

        FlyMachine in(String newState) {
            return new FlyMachine(id, region, config, createdAt, newState);
        }

        String metadata(String key) {
            return config.path("metadata").path(key).asString(null);
        }
    }

    static RecordingFlyMachines start() throws IOException {
        RecordingFlyMachines fly = new RecordingFlyMachines();
        fly.api.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                synchronized (fly.requests) {
                    fly.requests.add(request);
                }
                return fly.answerApi(request);
            }
        });
        fly.runtimes.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return fly.answerRuntime(request);
            }
        });
        fly.api.start();
        fly.runtimes.start();
        return fly;
    }

    /** The Machines API's base URL. */
    String apiUrl() {
        return "http://127.0.0.1:" + api.getPort();
    }

    /** Where every machine's runtime answers: one address, so the machine URL template needs no placeholder. */
    String machineUrl() {
        return "http://127.0.0.1:" + runtimes.getPort();
    }

    List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    boolean exists(String machineId) {
        FlyMachine machine = machines.get(machineId);
        return machine != null && !"destroyed".equals(machine.state());
    }

    @Override
    public void close() {
        api.close();
        runtimes.close();
    }

    private MockResponse answerApi(RecordedRequest request) {
        if (!("Bearer " + TOKEN).equals(request.getHeaders().get("Authorization"))) {
            return json(401, Map.of("error", "You must be authenticated to view this."));
        }
        List<String> path = request.getUrl().pathSegments();
        if (path.size() < 4 || !MACHINES.equals("/" + String.join("/", path.subList(0, 4)))) {
            return json(404, Map.of("error", "app not found"));
        }
        List<String> rest = path.subList(4, path.size());
        String method = request.getMethod();
        if (rest.isEmpty() && "POST".equals(method)) {
            return create(request);
        }
        if (rest.isEmpty() && "GET".equals(method)) {
            return json(200, list(request).stream().map(RecordingFlyMachines::describe).toList());
        }
        FlyMachine machine = machines.get(rest.get(0));
        if (machine == null || "destroyed".equals(machine.state())) {
            return json(404, Map.of("error", "machine not found"));
        }
        if (rest.size() == 1 && "GET".equals(method)) {
            return json(200, describe(machine));
        }
        if (rest.size() == 1 && "DELETE".equals(method) && "true".equals(request.getUrl().queryParameter("force"))) {
            machines.put(machine.id(), machine.in("destroyed"));
            return json(200, Map.of("ok", true));
        }
        if (rest.size() == 2 && "wait".equals(rest.get(1)) && "GET".equals(method)) {
            // the machine boots at once here
            machines.put(machine.id(), machine.in("started"));
            return json(200, Map.of("ok", true));
        }
        return json(404, Map.of("error", "this stand-in does not know " + method + " " + request.getUrl().encodedPath()));
    }

    private MockResponse create(RecordedRequest request) {
        JsonNode body = JSON.readTree(request.getBody() == null ? "{}" : request.getBody().utf8());
        String id = Long.toHexString(ids.incrementAndGet());
        FlyMachine machine = new FlyMachine(id, body.path("region").asString("ams"), body.path("config"),
                Instant.now().toString(), "created");
        machines.put(id, machine);
        return json(200, describe(machine));
    }

    /** The live machines whose metadata has every {@code metadata.<key>=<value>} of the query, as Fly filters them. */
    private List<FlyMachine> list(RecordedRequest request) {
        return machines.values().stream()
                .filter(machine -> !"destroyed".equals(machine.state()))
                .filter(machine -> request.getUrl().queryParameterNames().stream()
                        .filter(name -> name.startsWith("metadata."))
                        .allMatch(name -> request.getUrl().queryParameter(name).equals(machine.metadata(name.substring(9)))))
                .toList();
    }

    /** A machine in the shape of Fly's Machines resource. */
    private static Map<String, Object> describe(FlyMachine machine) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", machine.id());
        json.put("name", "e2e-" + machine.id());
        json.put("state", machine.state());
        json.put("region", machine.region());
        json.put("instance_id", "01H3JK5T4ZD4Q0VYYV2FQ8ZS9N");
        json.put("private_ip", "fdaa:0:3ec2:a7b:8566:845e:9f47:2");
        json.put("config", machine.config());
        json.put("created_at", machine.createdAt());
        json.put("updated_at", machine.createdAt());
        json.put("events", List.of());
        return json;
    }

    private MockResponse answerRuntime(RecordedRequest request) {
        if ("/health".equals(request.getUrl().encodedPath())) {
            return json(200, Map.of("status", "ready", "checks", List.of()));
        }
        // which preview the router forwarded: /s/<id> (path style), or <id>.<preview domain> (host style)
        String prefix = request.getHeaders().get("X-Forwarded-Prefix");
        String host = request.getHeaders().get("X-Forwarded-Host");
        String session = prefix != null ? prefix.substring(prefix.lastIndexOf('/') + 1)
                : host == null ? null : host.substring(0, Math.max(0, host.indexOf('.')));
        String file = "/".equals(request.getUrl().encodedPath()) ? "index.html" : request.getUrl().encodedPath().substring(1);
        return machines.values().stream()
                .filter(machine -> "started".equals(machine.state()) && machine.metadata("session_id").equals(session))
                .findFirst()
                .map(machine -> fileOf(machine, file))
                .orElseGet(() -> new MockResponse.Builder().code(404).body("no machine for session " + session).build());
    }

    /** {@code file} from the bundle the runtime got in {@code PREVIEW_BUNDLE_B64}. */
    private static MockResponse fileOf(FlyMachine machine, String file) {
        byte[] bundle = Base64.getDecoder().decode(machine.config().path("env").path("PREVIEW_BUNDLE_B64").asString(""));
        for (JsonNode entry : JSON.readTree(new String(bundle, StandardCharsets.UTF_8)).path("files")) {
            if (file.equals(entry.path("path").asString(""))) {
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/html; charset=utf-8")
                        .body(entry.path("content").asString("")).build();
            }
        }
        return new MockResponse.Builder().code(404).body("not found\n").build();
    }

    private static MockResponse json(int code, Object body) {
        return new MockResponse.Builder().code(code)
                .addHeader("Content-Type", "application/json")
                .addHeader("fly-request-id", "01E2E" + Long.toHexString(System.nanoTime()))
                .body(JSON.writeValueAsString(body))
                .build();
    }
}
