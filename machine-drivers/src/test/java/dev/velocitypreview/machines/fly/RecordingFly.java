package dev.velocitypreview.machines.fly;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * The far side of Fly's Machines API: answers with scripted replies in order (or from a function
 * once the script is used up, such as {@link Machines}) and records every request with the moment it arrived.
 */
final class RecordingFly extends Dispatcher {

    /** @param nanos {@link System#nanoTime()} when the request had arrived */
    record Arrival(RecordedRequest request, long nanos) {
    }

    private final BlockingQueue<MockResponse> script = new LinkedBlockingQueue<>();
    private final List<Arrival> arrivals = new ArrayList<>();
    private final Function<RecordedRequest, MockResponse> otherwise;

    RecordingFly() {
        this(request -> json(418, "{\"error\":\"the test did not expect " + request.getMethod() + " " + request.getTarget() + "\"}"));
    }

    RecordingFly(Function<RecordedRequest, MockResponse> otherwise) {
        this.otherwise = otherwise;
    }

    RecordingFly then(MockResponse response) {
        script.add(response);
        return this;
    }

    RecordingFly then(int code, String body) {
        return then(json(code, body));
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        synchronized (arrivals) {
            arrivals.add(new Arrival(request, System.nanoTime()));
        }
        MockResponse next = script.poll();
        return next != null ? next : otherwise.apply(request);
    }

    List<Arrival> arrivals() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    List<RecordedRequest> requests() {
        return arrivals().stream().map(Arrival::request).toList();
    }

    static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code)
                .addHeader("Content-Type", "application/json")
                .addHeader("fly-request-id", "01TESTREQUEST-" + code)
                .body(body)
                .build();
    }

    /**
     * An app's machines as Fly keeps them, answering the documented calls: create, get, list with {@code metadata.*}
     * filters (which see metadata set after the create), {@code POST /{id}/metadata/{key}}, start, suspend, wait and
     * destroy. A created machine boots at once; a wait for the state a machine is in answers 200, for another 408.
     */
    static final class Machines implements Function<RecordedRequest, MockResponse> {

        private static final JsonMapper JSON = JsonMapper.builder().build();

        private final String machinesPath;
        private final Map<String, ObjectNode> machines = new ConcurrentHashMap<>();
        private final AtomicLong ids = new AtomicLong(0x3d8d9e1b2c4e00L);

        /** @param machinesPath {@code /v1/apps/{app}/machines} */
        Machines(String machinesPath) {
            this.machinesPath = machinesPath;
        }

        /** The machine as Fly would describe it now. */
        JsonNode machine(String id) {
            return machines.get(id);
        }

        /** Puts a machine in {@code state}, as Fly's own doings would (an autostop, a crash). */
        void setState(String id, String state) {
            machines.get(id).put("state", state);
        }

        @Override
        public synchronized MockResponse apply(RecordedRequest request) {
            String path = request.getUrl().encodedPath();
            if (!path.startsWith(machinesPath)) {
                return json(404, "{\"error\":\"app not found\"}");
            }
            List<String> rest = request.getUrl().pathSegments().subList(4, request.getUrl().pathSegments().size());
            String method = request.getMethod();
            if (rest.isEmpty() && "POST".equals(method)) {
                return create(request);
            }
            if (rest.isEmpty() && "GET".equals(method)) {
                return json(200, JSON.writeValueAsString(list(request)));
            }
            ObjectNode machine = machines.get(rest.get(0));
            if (machine == null || "destroyed".equals(machine.path("state").asString())) {
                return json(404, "{\"error\":\"machine not found\"}");
            }
            String action = rest.size() > 1 ? rest.get(1) : "";
            return switch (method + " " + action) {
                case "GET " -> json(200, machine.toString());
                case "DELETE " -> {
                    machine.put("state", "destroyed");
                    yield json(200, "{\"ok\":true}");
                }
                case "POST metadata" -> {
                    JsonNode body = JSON.readTree(request.getBody().utf8());
                    ((ObjectNode) machine.path("config").path("metadata")).put(rest.get(2), body.path("value").asString());
                    yield new MockResponse.Builder().code(204).build();
                }
                case "POST start" -> {
                    String previous = machine.path("state").asString();
                    machine.put("state", "started");
                    yield json(200, "{\"previous_state\":\"" + previous + "\"}");
                }
                case "POST suspend" -> {
                    machine.put("state", "suspended");
                    yield json(200, "{\"ok\":true}");
                }
                case "GET wait" -> {
                    String wanted = request.getUrl().queryParameter("state");
                    if ("started".equals(wanted) && "created".equals(machine.path("state").asString())) {
                        machine.put("state", "started");
                    }
                    yield wanted.equals(machine.path("state").asString()) ? json(200, "{\"ok\":true}")
                            : json(408, "{\"error\":\"machine did not reach state " + wanted + "\"}");
                }
                default -> json(404, "{\"error\":\"this stand-in does not know " + method + " " + path + "\"}");
            };
        }

        private MockResponse create(RecordedRequest request) {
            JsonNode body = JSON.readTree(request.getBody().utf8());
            String id = Long.toHexString(ids.incrementAndGet());
            ObjectNode machine = JSON.createObjectNode();
            machine.put("id", id);
            machine.put("name", "pool-" + id);
            machine.put("state", "created");
            machine.put("region", body.path("region").asString("ams"));
            machine.put("private_ip", "fdaa:0:3ec2:a7b:8566:845e:9f47:2");
            machine.set("config", body.path("config").deepCopy());
            machine.put("created_at", Instant.now().toString());
            machines.put(id, machine);
            return json(200, machine.toString());
        }

        /** The live machines whose metadata has every {@code metadata.<key>=<value>} of the query. */
        private List<ObjectNode> list(RecordedRequest request) {
            return machines.values().stream()
                    .filter(machine -> !"destroyed".equals(machine.path("state").asString()))
                    .filter(machine -> request.getUrl().queryParameterNames().stream()
                            .filter(name -> name.startsWith("metadata."))
                            .allMatch(name -> request.getUrl().queryParameter(name).equals(
                                    machine.path("config").path("metadata").path(name.substring(9)).asString(null))))
                    .toList();
        }
    }
}
