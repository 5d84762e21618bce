package dev.velocitypreview.router.proxy;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

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

    private static final String PROXY_PREFIX = "proxy-";

    private ProxyHeaders() {
    }

    /** A copy of {@code headers} without hop-by-hop headers. */
    static HttpHeaders endToEnd(HttpHeaders headers) {
        Set<String> drop = new HashSet<>(HOP_BY_HOP);
        for (String named : headers.getValuesAsList(HttpHeaders.CONNECTION)) {
            drop.add(named.trim().toLowerCase(Locale.ROOT));
        }
        HttpHeaders out = new HttpHeaders();
        headers.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!drop.contains(lower) && !lower.startsWith(PROXY_PREFIX)) {
                out.addAll(name, values);
            }
        });
        return out;
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
        HttpHeaders out = endToEnd(request);
        out.remove(HttpHeaders.HOST);
        List<String> forwardedFor = out.getValuesAsList(PreviewHeaders.FORWARDED_FOR);
        out.remove(PreviewHeaders.FORWARDED_FOR);
        String client = remote == null ? null
                : remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
        if (client != null || !forwardedFor.isEmpty()) {
            StringBuilder chain = new StringBuilder(String.join(", ", forwardedFor));
            if (client != null) {
                chain.append(chain.length() == 0 ? "" : ", ").append(client);
            }
            out.set(PreviewHeaders.FORWARDED_FOR, chain.toString());
        }
        out.set(PreviewHeaders.FORWARDED_PROTO, scheme);
        if (clientHost != null) {
            out.set(PreviewHeaders.FORWARDED_HOST, clientHost);
        } else {
            out.remove(PreviewHeaders.FORWARDED_HOST);
        }
        if (target.prefix() != null) {
            out.set(PreviewHeaders.FORWARDED_PREFIX, target.prefix());
        } else {
            out.remove(PreviewHeaders.FORWARDED_PREFIX);
        }
        return out;
    }

    /** {@link #toMachine} without the client's WebSocket handshake headers. */
    static HttpHeaders toMachineWebSocket(HttpHeaders request, @Nullable String clientHost, String scheme,
                                          @Nullable InetSocketAddress remote, ForwardTarget target) {
        HttpHeaders out = toMachine(request, clientHost, scheme, remote, target);
        WEBSOCKET_HANDSHAKE.forEach(out::remove);
        return out;
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

    private static Set<String> names(CharSequence... names) {
        return Arrays.stream(names).map(name -> name.toString().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
