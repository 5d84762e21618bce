package dev.velocitypreview.runtime;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Locale;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonFactory;

/**
 * What {@code GET /health} answers: 200 only when ready; 503 while starting, and 503 with the
 * failing check's detail when the runtime can never become ready. Thread-safe.
 */
final class Health {

    enum Status {
        STARTING, READY, FAILED
    }

    /** @param detail null when there is nothing to add */
    record Check(String name, String status, String detail) {
    }

    record Snapshot(Status status, List<Check> checks) {
        Snapshot {
            checks = List.copyOf(checks);
        }

        int httpStatus() {
            return status == Status.READY ? 200 : 503;
        }

        byte[] json() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (JsonGenerator json = Json.FACTORY.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringProperty("status", status.name().toLowerCase(Locale.ROOT));
                json.writeArrayPropertyStart("checks");
                for (Check check : checks) {
                    json.writeStartObject();
                    json.writeStringProperty("name", check.name());
                    json.writeStringProperty("status", check.status());
                    if (check.detail() != null) {
                        json.writeStringProperty("detail", check.detail());
                    }
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            return out.toByteArray();
        }
    }

    /** Loaded on first use, so that Jackson's classes load after the server listens. */
    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    private static final Check SERVER_OK = new Check("server", "ok", null);

    private volatile Snapshot snapshot =
            new Snapshot(Status.STARTING, List.of(new Check("files", "pending", "materializing"), SERVER_OK));

    Snapshot snapshot() {
        return snapshot;
    }

    void ready(int files) {
        snapshot = new Snapshot(Status.READY, List.of(new Check("files", "ok", files + (files == 1 ? " file" : " files")), SERVER_OK));
    }

    void failed(String detail) {
        snapshot = new Snapshot(Status.FAILED, List.of(new Check("files", "failed", detail), SERVER_OK));
    }
}
