package dev.velocitypreview.router.routing;

import java.net.InetSocketAddress;
import java.net.URI;

/**
 * A machine the proxy's fast path reaches: plain HTTP at an IP address ({@link DirectRoutes}).
 *
 * @param url        the machine's base URL
 * @param address    where to connect, resolved (an IP address needs no lookup)
 * @param hostHeader the {@code Host} the machine is sent: its host, and its port unless it is 80
 */
public record DirectMachine(URI url, InetSocketAddress address, String hostHeader) {
}
