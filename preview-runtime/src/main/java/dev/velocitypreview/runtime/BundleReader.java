package dev.velocitypreview.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads a bundle file, {@code {"sessionId":…,"projectId":…,"files":[{"path":…,"content":…,"directory":false},…]}}
 * for a session's machine or {@code {"pool":…,"files":[…]}} for a warm pool's (a template's files, no session yet),
 * one entry at a time, so that a large project never sits in memory whole and a file over the
 * size limit is refused before its content is buffered in full. Unknown fields are refused.
 */
final class BundleReader {

    /** Receives each entry as soon as it is read. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(BundleEntry entry) throws MaterializationException;
    }

    /** @param content null for a directory */
    record BundleEntry(int index, String path, String content, boolean directory) {
    }

    /**
     * @param sessionId null exactly when {@code pool} is not
     * @param projectId null exactly when {@code pool} is not
     * @param pool      the warm pool's key of a pooled bundle, or null for a session's
     */
    record BundleHeader(String sessionId, String projectId, String pool, int entries) {
        boolean pooled() {
            return pool != null;
        }
    }

    private static final int MIN_STRING_LENGTH = 64 * 1024;

    private final JsonFactory factory;
    private final long maxFileBytes;
    private final int maxStringLength;

    BundleReader(long maxFileBytes) {
        this.maxFileBytes = maxFileBytes;
        // a string longer in chars than the byte limit is over it in UTF-8 too: stop buffering there
        // (but never below what a path or an id may need)
        this.maxStringLength = (int) Math.min(Integer.MAX_VALUE, Math.max(maxFileBytes + 1, MIN_STRING_LENGTH));
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxStringLength).build())
                .build();
    }

    /**
     * @throws MaterializationException when the file cannot be read, is not a well-formed bundle,
     *                                  or the visitor refuses an entry
     */
    BundleHeader read(Path bundle, EntryVisitor visitor) throws MaterializationException {
        Cursor cursor = new Cursor();
        try (InputStream in = Files.newInputStream(bundle);
             JsonParser parser = factory.createParser(ObjectReadContext.empty(), in)) {
            return readBundle(parser, cursor, visitor);
        } catch (NoSuchFileException e) {
            throw new MaterializationException("cannot read bundle " + ProjectPath.quote(bundle.toString()) + ": no such file");
        } catch (StreamConstraintsException e) {
            if (cursor.path != null) {
                throw MaterializationException.refused(cursor.path,
                        "file is over the limit of " + maxFileBytes + " bytes");
            }
            throw new MaterializationException("bundle: " + cursor.where() + " has a value longer than " + maxStringLength + " characters");
        } catch (JacksonIOException e) {
            throw new MaterializationException("cannot read bundle " + ProjectPath.quote(bundle.toString()) + ": "
                    + e.getCause().getMessage(), e);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            throw new MaterializationException("bundle is not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new MaterializationException("cannot read bundle " + ProjectPath.quote(bundle.toString()) + ": " + e.getMessage(), e);
        }
    }

    /** Where the parser is, for messages. */
    private static final class Cursor {
        int index = -1;
        String path;

        String where() {
            return index < 0 ? "the bundle" : "files[" + index + "]";
        }
    }

    private BundleHeader readBundle(JsonParser parser, Cursor cursor, EntryVisitor visitor) throws MaterializationException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw malformed("must be a JSON object");
        }
        String sessionId = null;
        String projectId = null;
        String pool = null;
        boolean sawFiles = false;
        int entries = 0;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "sessionId" -> sessionId = string(parser, value, "sessionId");
                case "projectId" -> projectId = string(parser, value, "projectId");
                case "pool" -> pool = string(parser, value, "pool");
                case "files" -> {
                    if (value != JsonToken.START_ARRAY) {
                        throw malformed("files must be an array");
                    }
                    sawFiles = true;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        cursor.index = entries++;
                        cursor.path = null;
                        visitor.visit(readEntry(parser, cursor));
                    }
                    cursor.index = -1;
                    cursor.path = null;
                }
                default -> throw malformed("unknown field " + ProjectPath.quote(name));
            }
        }
        if (parser.nextToken() != null) {
            throw malformed("unexpected content after the bundle object");
        }
        if (pool != null && (sessionId != null || projectId != null)) {
            throw malformed("a bundle is a session's (sessionId, projectId) or a warm pool's (pool), not both");
        }
        if (pool == null && sessionId == null) {
            throw malformed("sessionId is required");
        }
        if (pool == null && projectId == null) {
            throw malformed("projectId is required");
        }
        if (!sawFiles) {
            throw malformed("files is required");
        }
        return new BundleHeader(sessionId, projectId, pool, entries);
    }

    private BundleEntry readEntry(JsonParser parser, Cursor cursor) throws MaterializationException {
        String where = cursor.where();
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw malformed(where + " must be an object");
        }
        String content = null;
        Boolean directory = null;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "path" -> cursor.path = string(parser, value, where + ".path");
                case "content" -> content = string(parser, value, where + ".content");
                case "directory" -> {
                    if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE && value != JsonToken.VALUE_NULL) {
                        throw malformed(where + ".directory must be true or false");
                    }
                    directory = value == JsonToken.VALUE_TRUE;
                }
                default -> throw malformed(where + ": unknown field " + ProjectPath.quote(name));
            }
        }
        if (cursor.path == null) {
            throw malformed(where + ".path is required");
        }
        boolean isDirectory = directory != null && directory;
        if (!isDirectory && content == null) {
            throw malformed(where + " (" + ProjectPath.quote(cursor.path) + "): content is required for a file");
        }
        return new BundleEntry(cursor.index, cursor.path, isDirectory ? null : content, isDirectory);
    }

    private static String string(JsonParser parser, JsonToken value, String field) throws MaterializationException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw malformed(field + " must be a string");
        }
        return parser.getString();
    }

    private static MaterializationException malformed(String problem) {
        return new MaterializationException("bundle: " + problem);
    }
}
