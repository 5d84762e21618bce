package dev.velocitypreview.machines;

import java.io.OutputStream;
import java.util.List;
import java.util.UUID;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bundle preview-runtime reads: {@code {"sessionId","projectId","files":[{"path","content","directory"}]}} for a
 * session's machine, {@code {"pool","files":[...]}} for a pooled one (no session, no project: a template's files).
 * Written as a stream, as a project may be tens of megabytes.
 */
public final class RuntimeBundle {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RuntimeBundle() {
    }

    /** Writes {@code spec}'s bundle to {@code out}, which stays open. */
    public static void write(MachineSpec spec, OutputStream out) {
        write(spec.sessionId(), spec.projectId(), spec.files(), out);
    }

    /** Writes the bundle of a session's machine with {@code files} to {@code out}, which stays open. */
    public static void write(UUID sessionId, UUID projectId, List<ProjectFile> files, OutputStream out) {
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringProperty("sessionId", sessionId.toString());
            json.writeStringProperty("projectId", projectId.toString());
            writeFiles(json, files);
            json.writeEndObject();
        }
    }

    /** Writes a pooled machine's bundle to {@code out}, which stays open. */
    public static void writePooled(PooledMachineSpec spec, OutputStream out) {
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringProperty("pool", spec.pool());
            writeFiles(json, spec.files());
            json.writeEndObject();
        }
    }

    private static void writeFiles(JsonGenerator json, List<ProjectFile> files) {
        json.writeArrayPropertyStart("files");
        for (ProjectFile file : files) {
            json.writeStartObject();
            json.writeStringProperty("path", file.path());
            if (!file.directory()) {
                json.writeStringProperty("content", file.content());
            }
            json.writeBooleanProperty("directory", file.directory());
            json.writeEndObject();
        }
        json.writeEndArray();
    }
}
