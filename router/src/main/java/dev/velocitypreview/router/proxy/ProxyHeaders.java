package dev.velocitypreview.router.proxy;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.support.Netty4HeadersAdapter;

import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.router.routing.ForwardTarget;

/** The header rules of a proxy hop (RFC 9110 §7.6.1): what stays on this hop and what the next one learns. */
final class ProxyHeaders {

    /** Headers that describe one connection, never forwarded (plus any {@code Proxy-*} and those {@code Connection} names). */
    static final Set<String> HOP_BY_HOP = names(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

    /** The client's half of a WebSocket handshake; the relay makes its own with the machine. */
    static final Set<String> WEBSOCKET_HANDSHAKE = names(HttpHeaderNames.SEC_WEBSOCKET_KEY,
            HttpHeaderNames.SEC_WEBSOCKET_VERSION, HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS,
            HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);

    /** What {@link #toMachine} sets itself rather than copying from the client's request. */
    private static final Set<String> SET_FOR_MACHINE = names(HttpHeaderNames.HOST, PreviewHeaders.FORWARDED_FOR,
            PreviewHeaders.FORWARDED_PROTO, PreviewHeaders.FORWARDED_HOST, PreviewHeaders.FORWARDED_PREFIX);

    private static final Set<String> SET_FOR_MACHINE_WEBSOCKET = union(SET_FOR_MACHINE, WEBSOCKET_HANDSHAKE);

    private static final String PROXY_PREFIX = "proxy-";

    private ProxyHeaders() {
    }

    /**
     * Sets in {@code out} each end-to-end header of {@code headers} not named in {@code skipped} (lower case),
     * replacing what {@code out} had under that name: written straight into the outgoing message's headers, so a
     * proxied message's headers are copied once.
     */
    private static void copyEndToEnd(HttpHeaders headers, HttpHeaders out, Set<String> skipped) {
        Set<String> named = connectionNamed(headers.getOrEmpty(HttpHeaders.CONNECTION));
        headers.forEach((name, values) -> {
            if (isEndToEnd(name, named, skipped)) {
                out.put(name, values);
            }
        });
    }

    /**
     * Adds to {@code out} each end-to-end header of a message Reactor Netty received, read from its own headers
     * (no adapter around them to go through).
     */
    static void copyEndToEnd(io.netty.handler.codec.http.HttpHeaders headers, HttpHeaders out) {
        Set<String> named = connectionNamed(headers.getAll(HttpHeaderNames.CONNECTION));
        for (Iterator<Map.Entry<String, String>> entries = headers.iteratorAsString(); entries.hasNext(); ) {
            Map.Entry<String, String> header = entries.next();
            if (isEndToEnd(header.getKey(), named, Set.of())) {
                out.add(header.getKey(), header.getValue());
            }
        }
    }

    /**
     * Compares ignoring case against the few lower-case names instead of lower-casing {@code name}: this runs for
     * every header of every proxied message both ways, and a lower-cased copy of each name is garbage each time.
     */
    private static boolean isEndToEnd(String name, Set<String> connectionNamed, Set<String> skipped) {
        return !name.regionMatches(true, 0, PROXY_PREFIX, 0, PROXY_PREFIX.length())
                && !namedIgnoringCase(HOP_BY_HOP, name) && !namedIgnoringCase(connectionNamed, name)
                && !namedIgnoringCase(skipped, name);
    }

    /** @param lowerCaseNames a handful of names */
    private static boolean namedIgnoringCase(Set<String> lowerCaseNames, String name) {
        for (String named : lowerCaseNames) {
            if (named.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** The header names listed in {@code Connection} values, lower case. */
    private static Set<String> connectionNamed(List<String> connection) {
        if (connection.isEmpty()) {
            return Set.of();
        }
        Set<String> named = new HashSet<>();
        for (String value : connection) {
            for (String name : value.split(",")) {
                named.add(name.trim().toLowerCase(Locale.ROOT));
            }
        }
        return named;
    }

    /**
     * The headers a request carries to the machine: its end-to-end headers without {@code Host} (the machine
     * gets its own), plus {@code X-Forwarded-For/Proto/Host/Prefix} describing the client's request.
     *
     * @param clientHost the client's {@code Host} header
     * @param scheme     the scheme the client used ({@code http} or {@code https})
     * @param remote     the client's address
     */
    static HttpHeaders toMachine(HttpHeaders request, @Nullable String clientHost, String scheme,
                                 @Nullable InetSocketAddress remote, ForwardTarget target) {
        HttpHeaders out = new HttpHeaders();
        writeToMachine(request, clientHost, scheme, remote, target, out, false);
        return out;
    }

    /** {@link #toMachine} without the client's WebSocket handshake headers. */
    static HttpHeaders toMachineWebSocket(HttpHeaders request, @Nullable String clientHost, String scheme,
                                          @Nullable InetSocketAddress remote, ForwardTarget target) {
        HttpHeaders out = new HttpHeaders();
        writeToMachine(request, clientHost, scheme, remote, target, out, true);
        return out;
    }

    /**
     * Writes {@link #toMachine}'s headers (without the WebSocket handshake's when {@code webSocket}) into
     * {@code out}, the outgoing request's own headers: a name written replaces what {@code out} had, others stay.
     */
    static void writeToMachine(HttpHeaders request, @Nullable String clientHost, String scheme,
                               @Nullable InetSocketAddress remote, ForwardTarget target, HttpHeaders out,
                               boolean webSocket) {
        copyEndToEnd(request, out, webSocket ? SET_FOR_MACHINE_WEBSOCKET : SET_FOR_MACHINE);
        String forwardedFor = forwardedFor(request.getValuesAsList(PreviewHeaders.FORWARDED_FOR), remote);
        if (forwardedFor != null) {
            out.set(PreviewHeaders.FORWARDED_FOR, forwardedFor);
        }
        out.set(PreviewHeaders.FORWARDED_PROTO, scheme);
        if (clientHost != null) {
            out.set(PreviewHeaders.FORWARDED_HOST, clientHost);
        }
        if (target.prefix() != null) {
            out.set(PreviewHeaders.FORWARDED_PREFIX, target.prefix());
        }
    }

    /**
     * {@link #toMachine}'s headers, from a request Reactor Netty received into the outgoing request's own headers
     * (which have nothing of the client's yet), for the fast path ({@link MachineExchange}): read and written as
     * Netty's headers, because going through Spring's adapter builds a set of the names and a list of values per
     * name on every request (docs/benchmarks.md §4). The same rules as {@link #writeToMachine}.
     */
    static void writeToMachine(io.netty.handler.codec.http.HttpHeaders request, String scheme,
                               @Nullable InetSocketAddress remote, ForwardTarget target,
                               io.netty.handler.codec.http.HttpHeaders out) {
        Set<String> named = connectionNamed(request.getAll(HttpHeaderNames.CONNECTION));
        for (Iterator<Map.Entry<String, String>> entries = request.iteratorAsString(); entries.hasNext(); ) {
            Map.Entry<String, String> header = entries.next();
            if (isEndToEnd(header.getKey(), named, SET_FOR_MACHINE)) {
                out.add(header.getKey(), header.getValue());
            }
        }
        // split into its addresses as the adapter splits them, for the same chain; rare (a proxy in front)
        List<String> chain = request.contains(PreviewHeaders.FORWARDED_FOR)
                ? new HttpHeaders(new Netty4HeadersAdapter(request)).getValuesAsList(PreviewHeaders.FORWARDED_FOR)
                : List.of();
        String forwardedFor = forwardedFor(chain, remote);
        if (forwardedFor != null) {
            out.set(PreviewHeaders.FORWARDED_FOR, forwardedFor);
        }
        out.set(PreviewHeaders.FORWARDED_PROTO, scheme);
        String clientHost = request.get(HttpHeaderNames.HOST);
        if (clientHost != null) {
            out.set(PreviewHeaders.FORWARDED_HOST, clientHost);
        }
        if (target.prefix() != null) {
            out.set(PreviewHeaders.FORWARDED_PREFIX, target.prefix());
        }
    }

    /** The {@code X-Forwarded-For} chain the client sent with the client's own address at its end; null for none. */
    private static @Nullable String forwardedFor(List<String> chain, @Nullable InetSocketAddress remote) {
        String client = remote == null ? null
                : remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
        if (chain.isEmpty()) {
            // the usual case, without a chain to join (a join's builder on every request)
            return client;
        }
        StringBuilder joined = new StringBuilder(String.join(", ", chain));
        if (client != null) {
            joined.append(joined.length() == 0 ? "" : ", ").append(client);
        }
        return joined.toString();
    }

    /** The client's offered WebSocket subprotocols, in its order of preference. */
    static List<String> webSocketProtocols(HttpHeaders request) {
        return request.getValuesAsList(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL.toString());
    }

    /** True when the client asks to upgrade this request to a WebSocket. */
    static boolean isWebSocketUpgrade(HttpHeaders request) {
        return request.getValuesAsList(HttpHeaders.UPGRADE).stream()
                .anyMatch(HttpHeaderValues.WEBSOCKET::contentEqualsIgnoreCase);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> both = new HashSet<>(a);
        both.addAll(b);
        return Set.copyOf(both);
    }

    private static Set<String> names(CharSequence... names) {
        return Arrays.stream(names).map(name -> name.toString().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
