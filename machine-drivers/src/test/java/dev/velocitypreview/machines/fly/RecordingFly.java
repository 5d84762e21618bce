package dev.velocitypreview.machines.fly;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * The far side of Fly's Machines API: answers with scripted replies in order (or from a function
 * once the script is used up) and records every request with the moment it arrived.
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
}
