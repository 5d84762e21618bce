package dev.velocitypreview.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Reaches {@code *.localhost} (host-style previews: {@code http://<id>.preview.localhost:<port>/}) on the loopback
 * address at the URL's port, as browsers and curl do (RFC 6761) and the JDK's resolver does not: such a request
 * goes to that port as to a proxy, so it carries its own host in the request line and the {@code Host} header,
 * exactly as a browser's would. Other URLs are left alone.
 */
public final class LoopbackPreviews extends ProxySelector {

    public static final LoopbackPreviews SELECTOR = new LoopbackPreviews();

    private LoopbackPreviews() {
    }

    @Override
    public List<Proxy> select(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!host.endsWith(".localhost") || uri.getPort() < 0) {
            return List.of(Proxy.NO_PROXY);
        }
        return List.of(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", uri.getPort())));
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        // nothing to fall back on: the request fails with the connection's own error
    }
}
