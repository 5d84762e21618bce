package dev.velocitypreview.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonFactory;

/** Bundle files for tests, written the way the machine drivers write them. */
final class Bundles {

    record Entry(String path, String content, boolean directory) {
        static Entry file(String path, String content) {
            return new Entry(path, content, false);
        }

        static Entry directory(String path) {
            return new Entry(path, null, true);
        }
    }

    static final String SESSION = UUID.randomUUID().toString();
    static final String PROJECT = UUID.randomUUID().toString();

    private Bundles() {
    }

    static Path write(Path file, Entry... entries) {
        return write(file, SESSION, List.of(entries));
    }

    static Path write(Path file, String session, List<Entry> entries) {
        try (JsonGenerator json = new JsonFactory().createGenerator(Files.newOutputStream(file))) {
            json.writeStartObject();
            json.writeStringProperty("sessionId", session);
            json.writeStringProperty("projectId", PROJECT);
            writeFiles(json, entries);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static void writeFiles(JsonGenerator json, List<Entry> entries) {
        json.writeArrayPropertyStart("files");
        for (Entry entry : entries) {
            json.writeStartObject();
            json.writeStringProperty("path", entry.path());
            if (entry.content() != null) {
                json.writeStringProperty("content", entry.content());
            }
            json.writeBooleanProperty("directory", entry.directory());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    /** A warm pool's bundle, as {@code RuntimeBundle.writePooled} writes it: its pool, no session, no project. */
    static Path writePooled(Path file, String pool, List<Entry> entries) {
        try (JsonGenerator json = new JsonFactory().createGenerator(Files.newOutputStream(file))) {
            json.writeStartObject();
            json.writeStringProperty("pool", pool);
            writeFiles(json, entries);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Path raw(Path file, String json) {
        try {
            return Files.writeString(file, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
