package dev.velocitypreview.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The head of one HTTP/1.x message as it came off a socket: its start line and its header fields in
 * order. Read with a bound on its size, so a client cannot make the runtime buffer without limit.
 *
 * @param startLine {@code GET /x HTTP/1.1} for a request, {@code HTTP/1.1 200 OK} for a response
 */
record HttpHead(String startLine, List<Map.Entry<String, String>> fields) {

    /** The head could not be read; {@code status} is what a server answers to it. */
    static final class MalformedHeadException extends IOException {
        final int status;

        MalformedHeadException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    HttpHead {
        fields = List.copyOf(fields);
    }

    /**
     * Reads up to and including the empty line that ends the head, nothing more.
     *
     * @return null when the stream ended before the first byte (a connection closed without a request)
     * @throws MalformedHeadException when the head is longer than {@code maxBytes}, is cut off, or is not HTTP
     */
    static HttpHead read(InputStream in, int maxBytes) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (total == 0) {
                    return null;
                }
                throw new MalformedHeadException(400, "the head ended before its empty line");
            }
            if (++total > maxBytes) {
                throw new MalformedHeadException(431, "the head is longer than " + maxBytes + " bytes");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
                line.reset();
                if (text.isEmpty()) {
                    if (lines.isEmpty()) {
                        continue; // RFC 9112 2.2: empty lines before a request line are ignored
                    }
                    return parse(lines);
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
    }

    private static HttpHead parse(List<String> lines) throws MalformedHeadException {
        String start = lines.get(0);
        boolean response = start.startsWith("HTTP/") && start.split(" ", -1).length >= 2;
        boolean request = start.split(" ", -1).length == 3 && start.contains(" HTTP/");
        if (!response && !request) {
            throw new MalformedHeadException(400, "not an HTTP/1.x start line");
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (String field : lines.subList(1, lines.size())) {
            int colon = field.indexOf(':');
            String name = colon <= 0 ? "" : field.substring(0, colon);
            if (name.isEmpty() || name.contains(" ") || name.contains("\t")) {
                // obsolete line folding, names with spaces and whitespace before the colon (RFC 9112 5.1): refused, as
                // a server or proxy that read them otherwise would frame the message differently
                throw new MalformedHeadException(400, "malformed header field");
            }
            fields.add(Map.entry(field.substring(0, colon), field.substring(colon + 1).strip()));
        }
        return new HttpHead(start, fields);
    }

    String method() {
        return startLine.substring(0, startLine.indexOf(' '));
    }

    /** The request target, as sent (raw). */
    String target() {
        return startLine.substring(startLine.indexOf(' ') + 1, startLine.lastIndexOf(' '));
    }

    String version() {
        return startLine.substring(startLine.lastIndexOf(' ') + 1);
    }

    /** A response's status code. */
    int status() {
        String[] parts = startLine.split(" ", 3);
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return -1;
        }
    }

    List<String> values(String name) {
        return fields.stream().filter(field -> field.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
    }

    /** True when a header of {@code name} lists {@code token} (comma-separated, case-insensitive). */
    boolean hasToken(String name, String token) {
        for (String value : values(name)) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A WebSocket upgrade: the connection is handed over whole once the server agrees. Other upgrades (h2c) are
     * not passed on: their fields are dropped with the connection's own. A list naming websocket among others
     * ({@code websocket, h2c}) counts as websocket and goes upstream as {@code Upgrade: websocket} alone: the client
     * offered it, so it is served rather than refused, and the upstream is left no other protocol to switch to.
     */
    boolean isWebSocketUpgrade() {
        return hasToken("Upgrade", "websocket") && hasToken("Connection", "upgrade");
    }

    /**
     * This head with another start line, without the connection's own fields ({@code Connection} and what it
     * names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code Upgrade}), and with {@code Connection: close} at the end.
     */
    HttpHead forOneMessage(String newStartLine) {
        return forOneMessage(newStartLine, true);
    }

    /** As {@link #forOneMessage(String)}, with {@code Connection: close} only when {@code close}. */
    HttpHead forOneMessage(String newStartLine, boolean close) {
        // Upgrade too, named or not: a message relayed as one message must never turn into an upgrade upstream
        List<String> hopByHop = new ArrayList<>(List.of("connection", "keep-alive", "proxy-connection", "upgrade"));
        for (String value : values("Connection")) {
            for (String part : value.split(",")) {
                hopByHop.add(part.trim().toLowerCase(Locale.ROOT));
            }
        }
        List<Map.Entry<String, String>> kept = new ArrayList<>(fields.stream()
                .filter(field -> !hopByHop.contains(field.getKey().toLowerCase(Locale.ROOT))).toList());
        if (close) {
            kept.add(Map.entry("Connection", "close"));
        }
        return new HttpHead(newStartLine, kept);
    }

    /**
     * Why this request's framing is ambiguous (RFC 9112 6.3: a proxy must not pass on what it and the next hop could
     * read as different messages), or null when it is not: both {@code Content-Length} and {@code Transfer-Encoding},
     * {@code Content-Length} values that differ or are not a number, a {@code Transfer-Encoding} other than exactly
     * {@code chunked}.
     */
    String ambiguousFraming() {
        List<String> encodings = values("Transfer-Encoding");
        List<String> lengths = values("Content-Length").stream().flatMap(value -> Arrays.stream(value.split(",", -1)))
                .map(String::strip).distinct().toList();
        if (!encodings.isEmpty() && !lengths.isEmpty()) {
            return "both Content-Length and Transfer-Encoding";
        }
        if (!encodings.isEmpty() && !(encodings.size() == 1 && encodings.get(0).equalsIgnoreCase("chunked"))) {
            return "a Transfer-Encoding other than chunked";
        }
        if (lengths.size() > 1) {
            return "differing Content-Length values";
        }
        if (lengths.size() == 1 && !lengths.get(0).matches("[0-9]{1,18}")) {
            return "a Content-Length that is not a length";
        }
        return null;
    }

    /** The body's length by {@code Content-Length}, once {@link #ambiguousFraming} found nothing; 0 without one. */
    long contentLength() {
        List<String> lengths = values("Content-Length");
        return lengths.isEmpty() ? 0 : Long.parseLong(lengths.get(0).split(",")[0].strip());
    }

    /** This head without the fields named {@code name} (case-insensitive). */
    HttpHead without(String name) {
        return new HttpHead(startLine, fields.stream().filter(field -> !field.getKey().equalsIgnoreCase(name)).toList());
    }

    byte[] bytes() {
        StringBuilder head = new StringBuilder(256).append(startLine).append("\r\n");
        for (Map.Entry<String, String> field : fields) {
            head.append(field.getKey()).append(": ").append(field.getValue()).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
