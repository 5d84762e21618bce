package dev.velocitypreview.machines;

import java.io.OutputStream;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bundle preview-runtime reads: {@code {"sessionId","projectId","files":[{"path","content","directory"}]}}.
 * Written as a stream, as a project may be tens of megabytes.
 */
public final class RuntimeBundle {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RuntimeBundle() {
    }

    /** Writes {@code spec}'s bundle to {@code out}, which stays open. */
    public static void write(MachineSpec spec, OutputStream out) {
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringProperty("sessionId", spec.sessionId().toString());
            json.writeStringProperty("projectId", spec.projectId().toString());
            json.writeArrayPropertyStart("files");
            for (ProjectFile file : spec.files()) {
                json.writeStartObject();
                json.writeStringProperty("path", file.path());
                if (!file.directory()) {
                    json.writeStringProperty("content", file.content());
                }
                json.writeBooleanProperty("directory", file.directory());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }
}
