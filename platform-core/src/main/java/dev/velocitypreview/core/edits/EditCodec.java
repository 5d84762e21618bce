package dev.velocitypreview.core.edits;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

import dev.velocitypreview.core.json.MalformedRecordException;

/**
 * JSON forms of the live-edit messages: a machine's {@link SyncRequest}, the platform's {@link SyncResponse} and a
 * pooled machine's {@link MachineClaim} (HTTP bodies), a {@link SessionEditReport} and a {@link ProjectFileNotice} (Kafka values). Written with jackson-core's
 * streaming API only, because the preview runtime reads and writes the sync messages and keeps databind off its class
 * path. Strict like the other codecs: unknown fields, wrong types and missing fields are refused with a message that
 * names the field; the bodies a machine sends are untrusted.
 */
public final class EditCodec {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private static final Set<String> REQUEST_FIELDS = Set.of("files", "results");
    private static final Set<String> STATE_FIELDS = Set.of("path", "version", "sha256");
    private static final Set<String> RESULT_FIELDS = Set.of("written", "deleted", "outcome", "error", "at");
    private static final Set<String> VERSION_FIELDS = Set.of("path", "version");
    private static final Set<String> ERROR_FIELDS = Set.of("message", "file", "line", "column");
    private static final Set<String> RESPONSE_FIELDS = Set.of("files", "deleted");
    private static final Set<String> SYNCED_FIELDS = Set.of("path", "version", "sha256", "content");
    private static final Set<String> REPORT_FIELDS = Set.of("sessionId", "projectId", "result");
    private static final Set<String> NOTICE_FIELDS = Set.of("projectId", "path", "version", "deleted");
    private static final Set<String> CLAIM_FIELDS = Set.of("sessionId", "projectId", "files", "syncUrl", "syncToken",
            "replayState");

    private EditCodec() {
    }

    // ---- sync request (machine -> platform)

    public static byte[] encodeRequest(SyncRequest request) {
        return write(json -> {
            json.writeStartObject();
            json.writeArrayPropertyStart("files");
            for (FileState file : request.files()) {
                json.writeStartObject();
                json.writeStringProperty("path", file.path());
                json.writeNumberProperty("version", file.version());
                json.writeStringProperty("sha256", file.sha256());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayPropertyStart("results");
            for (EditResult result : request.results()) {
                writeResult(json, result);
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static SyncRequest decodeRequest(byte[] body) {
        return read("sync request", body, in -> {
            Map<String, Object> fields = in.object(REQUEST_FIELDS, Map.of(
                    "files", r -> r.array(s -> {
                        Map<String, Object> f = s.object(STATE_FIELDS, Map.of(
                                "path", Reader::string, "version", Reader::number, "sha256", Reader::string));
                        return new FileState(s.required(f, "path"), s.<Long>required(f, "version"), s.required(f, "sha256"));
                    }),
                    "results", r -> r.array(EditCodec::readResult)));
            return new SyncRequest(in.required(fields, "files"), in.required(fields, "results"));
        });
    }

    // ---- sync response (platform -> machine)

    public static byte[] encodeResponse(SyncResponse response) {
        return write(json -> writeResponse(json, response));
    }

    private static void writeResponse(JsonGenerator json, SyncResponse response) {
        json.writeStartObject();
        json.writeArrayPropertyStart("files");
        for (SyncedFile file : response.files()) {
            json.writeStartObject();
            json.writeStringProperty("path", file.path());
            json.writeNumberProperty("version", file.version());
            json.writeStringProperty("sha256", file.sha256());
            json.writeStringProperty("content", file.content());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayPropertyStart("deleted");
        for (String path : response.deleted()) {
            json.writeString(path);
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static SyncResponse decodeResponse(byte[] body) {
        return read("sync response", body, EditCodec::readResponse);
    }

    private static SyncResponse readResponse(Reader in) {
        Map<String, Object> fields = in.object(RESPONSE_FIELDS, Map.of(
                "files", r -> r.array(s -> {
                    Map<String, Object> f = s.object(SYNCED_FIELDS, Map.of("path", Reader::string,
                            "version", Reader::number, "sha256", Reader::string, "content", Reader::string));
                    return new SyncedFile(s.required(f, "path"), s.<Long>required(f, "version"),
                            s.required(f, "sha256"), (String) f.get("content"));
                }),
                "deleted", r -> r.array(Reader::requiredString)));
        if (fields == null) {
            throw in.malformed("must be an object");
        }
        return new SyncResponse(in.required(fields, "files"), in.required(fields, "deleted"));
    }

    // ---- claim of a pooled machine (provisioner -> machine)

    public static byte[] encodeClaim(MachineClaim claim) {
        return write(json -> {
            json.writeStartObject();
            json.writeStringProperty("sessionId", claim.sessionId().toString());
            json.writeStringProperty("projectId", claim.projectId().toString());
            json.writeName("files");
            writeResponse(json, claim.files());
            json.writeStringProperty("syncUrl", claim.syncUrl() == null ? null : claim.syncUrl().toString());
            json.writeStringProperty("syncToken", claim.syncToken());
            json.writeStringProperty("replayState", claim.replayState());
            json.writeEndObject();
        });
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static MachineClaim decodeClaim(byte[] body) {
        return read("machine claim", body, in -> {
            Map<String, Object> fields = in.object(CLAIM_FIELDS, Map.of(
                    "sessionId", Reader::uuid, "projectId", Reader::uuid, "files", EditCodec::readResponse,
                    "syncUrl", Reader::string, "syncToken", Reader::string, "replayState", Reader::string));
            String syncUrl = (String) fields.get("syncUrl");
            URI url;
            try {
                url = syncUrl == null ? null : new URI(syncUrl);
            } catch (URISyntaxException e) {
                throw new MalformedRecordException("machine claim: syncUrl is not a URI: " + e.getMessage());
            }
            try {
                return new MachineClaim(in.required(fields, "sessionId"), in.required(fields, "projectId"),
                        in.required(fields, "files"), url, (String) fields.get("syncToken"),
                        (String) fields.get("replayState"));
            } catch (IllegalArgumentException e) {
                throw new MalformedRecordException("machine claim: " + e.getMessage());
            }
        });
    }

    // ---- Kafka values

    public static byte[] encodeReport(SessionEditReport report) {
        return write(json -> {
            json.writeStartObject();
            json.writeStringProperty("sessionId", report.sessionId().toString());
            json.writeStringProperty("projectId", report.projectId().toString());
            json.writeName("result");
            writeResult(json, report.result());
            json.writeEndObject();
        });
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static SessionEditReport decodeReport(byte[] value) {
        return read("session edit report", value, in -> {
            Map<String, Object> fields = in.object(REPORT_FIELDS, Map.of(
                    "sessionId", Reader::uuid, "projectId", Reader::uuid, "result", EditCodec::readResult));
            return new SessionEditReport(in.required(fields, "sessionId"), in.required(fields, "projectId"),
                    in.required(fields, "result"));
        });
    }

    public static byte[] encodeNotice(ProjectFileNotice notice) {
        return write(json -> {
            json.writeStartObject();
            json.writeStringProperty("projectId", notice.projectId().toString());
            json.writeStringProperty("path", notice.path());
            json.writeNumberProperty("version", notice.version());
            json.writeBooleanProperty("deleted", notice.deleted());
            json.writeEndObject();
        });
    }

    /** @throws MalformedRecordException saying which field is wrong and why */
    public static ProjectFileNotice decodeNotice(byte[] value) {
        return read("project file notice", value, in -> {
            Map<String, Object> fields = in.object(NOTICE_FIELDS, Map.of("projectId", Reader::uuid,
                    "path", Reader::string, "version", Reader::number, "deleted", Reader::bool));
            return new ProjectFileNotice(in.required(fields, "projectId"), in.required(fields, "path"),
                    in.<Long>required(fields, "version"), in.<Boolean>required(fields, "deleted"));
        });
    }

    // ---- shared pieces

    private static void writeResult(JsonGenerator json, EditResult result) {
        json.writeStartObject();
        json.writeArrayPropertyStart("written");
        for (FileVersion file : result.written()) {
            json.writeStartObject();
            json.writeStringProperty("path", file.path());
            json.writeNumberProperty("version", file.version());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayPropertyStart("deleted");
        for (String path : result.deleted()) {
            json.writeString(path);
        }
        json.writeEndArray();
        json.writeStringProperty("outcome", result.outcome().wire());
        if (result.error() == null) {
            json.writeNullProperty("error");
        } else {
            CompileError error = result.error();
            json.writeObjectPropertyStart("error");
            json.writeStringProperty("message", error.message());
            json.writeStringProperty("file", error.file());
            optionalNumber(json, "line", error.line());
            optionalNumber(json, "column", error.column());
            json.writeEndObject();
        }
        json.writeStringProperty("at", result.at().toString());
        json.writeEndObject();
    }

    private static EditResult readResult(Reader in) {
        Map<String, Object> fields = in.object(RESULT_FIELDS, Map.of(
                "written", r -> r.array(v -> {
                    Map<String, Object> f = v.object(VERSION_FIELDS, Map.of("path", Reader::string, "version", Reader::number));
                    return new FileVersion(v.required(f, "path"), v.<Long>required(f, "version"));
                }),
                "deleted", r -> r.array(Reader::requiredString),
                "outcome", r -> r.mapped(EditOutcome::ofWire),
                "error", r -> {
                    Map<String, Object> f = r.object(ERROR_FIELDS, Map.of("message", Reader::string,
                            "file", Reader::string, "line", Reader::number, "column", Reader::number));
                    if (f == null) {
                        return null;
                    }
                    return new CompileError(r.required(f, "message"), (String) f.get("file"), (Long) f.get("line"),
                            (Long) f.get("column"));
                },
                "at", Reader::instant));
        try {
            return new EditResult(in.required(fields, "written"), in.required(fields, "deleted"),
                    in.required(fields, "outcome"), (CompileError) fields.get("error"), in.required(fields, "at"));
        } catch (IllegalArgumentException e) {
            throw in.malformed(e.getMessage());
        }
    }

    private static void optionalNumber(JsonGenerator json, String field, Long value) {
        if (value == null) {
            json.writeNullProperty(field);
        } else {
            json.writeNumberProperty(field, value);
        }
    }

    private interface Writing {
        void to(JsonGenerator json);
    }

    private static byte[] write(Writing writing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
            writing.to(json);
        }
        return out.toByteArray();
    }

    private static <T> T read(String what, byte[] body, Function<Reader, T> reading) {
        if (body == null) {
            throw new MalformedRecordException(what + ": no body");
        }
        try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), body)) {
            Reader reader = new Reader(what, parser);
            parser.nextToken();
            T value = reading.apply(reader);
            if (parser.nextToken() != null) {
                throw reader.malformed("trailing content after the object");
            }
            return value;
        } catch (JacksonException e) {
            throw new MalformedRecordException(what + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (MalformedRecordException e) {
            throw e;
        } catch (IllegalArgumentException | NullPointerException e) {
            // a record's own check (a negative version, a compile error on an applied result)
            throw new MalformedRecordException(what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads one value at the parser's current token; each method leaves the parser on the value's last token. Nulls
     * read as Java null, so a required field that is null is reported missing.
     */
    private static final class Reader {
        private final String what;
        private final JsonParser parser;
        private String where = "";

        Reader(String what, JsonParser parser) {
            this.what = what;
            this.parser = parser;
        }

        MalformedRecordException malformed(String message) {
            return new MalformedRecordException(what + ": " + (where.isEmpty() ? "" : where + ": ") + message);
        }

        private boolean isNull() {
            return parser.currentToken() == JsonToken.VALUE_NULL;
        }

        Map<String, Object> object(Set<String> allowed, Map<String, Function<Reader, Object>> readers) {
            if (isNull()) {
                return null;
            }
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                throw malformed("must be an object");
            }
            String outer = where;
            Map<String, Object> values = new HashMap<>();
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                where = outer.isEmpty() ? name : outer + "." + name;
                if (!allowed.contains(name)) {
                    throw malformed("is not a known field");
                }
                if (values.containsKey(name)) {
                    throw malformed("appears twice");
                }
                parser.nextToken();
                Object value = readers.get(name).apply(this);
                values.put(name, value);
                where = outer;
            }
            where = outer;
            return values;
        }

        <T> List<T> array(Function<Reader, T> element) {
            if (isNull()) {
                return null;
            }
            if (parser.currentToken() != JsonToken.START_ARRAY) {
                throw malformed("must be an array");
            }
            String outer = where;
            List<T> values = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                where = outer + "[" + values.size() + "]";
                values.add(element.apply(this));
            }
            where = outer;
            return values;
        }

        Object string() {
            if (isNull()) {
                return null;
            }
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                throw malformed("must be a string");
            }
            return parser.getString();
        }

        String requiredString() {
            Object value = string();
            if (value == null) {
                throw malformed("must not be null");
            }
            return (String) value;
        }

        Object number() {
            if (isNull()) {
                return null;
            }
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw malformed("must be a whole number");
            }
            try {
                return parser.getLongValue();
            } catch (JacksonException e) {
                throw malformed("is out of range");
            }
        }

        Object bool() {
            if (isNull()) {
                return null;
            }
            if (parser.currentToken() != JsonToken.VALUE_TRUE && parser.currentToken() != JsonToken.VALUE_FALSE) {
                throw malformed("must be true or false");
            }
            return parser.currentToken() == JsonToken.VALUE_TRUE;
        }

        Object uuid() {
            return mapped(UUID::fromString);
        }

        Object instant() {
            return mapped(text -> {
                try {
                    return Instant.parse(text);
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("is not an ISO-8601 instant");
                }
            });
        }

        Object mapped(Function<String, Object> parse) {
            Object raw = string();
            if (raw == null) {
                return null;
            }
            try {
                return parse.apply((String) raw);
            } catch (IllegalArgumentException e) {
                throw malformed(e.getMessage());
            }
        }

        @SuppressWarnings("unchecked")
        <T> T required(Map<String, Object> fields, String name) {
            Object value = fields == null ? null : fields.get(name);
            if (value == null) {
                throw new MalformedRecordException(what + ": " + (where.isEmpty() ? "" : where + ".") + name
                        + " is required");
            }
            return (T) value;
        }
    }
}
