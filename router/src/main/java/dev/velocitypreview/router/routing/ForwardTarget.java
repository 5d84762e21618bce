package dev.velocitypreview.router.routing;

import java.net.URI;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Where a routed request goes.
 *
 * @param sessionId the session the request is for
 * @param machineId the machine's id as the session directory has it, unchecked: a forwarder that puts it anywhere
 *                  checks its shape first; null when the session names none
 * @param machine   the machine's base URL ({@code http} or {@code https}, absolute, with a host)
 * @param rawPath   the raw path for the machine, starting with {@code /}
 * @param rawQuery  the raw query string, without {@code ?}, or null
 * @param prefix    the path prefix the router consumed ({@code /s/{id}}), for {@code X-Forwarded-Prefix};
 *                  null for host-style requests
 */
public record ForwardTarget(UUID sessionId, @Nullable String machineId, URI machine, String rawPath, @Nullable String rawQuery, @Nullable String prefix) {

    public ForwardTarget {
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(machine, "machine == null");
        Objects.requireNonNull(rawPath, "rawPath == null");
        if (!"http".equals(machine.getScheme()) && !"https".equals(machine.getScheme())) {
            throw new IllegalArgumentException("machine URL must be http or https, got " + machine);
        }
        if (machine.getRawAuthority() == null || machine.getHost() == null) {
            throw new IllegalArgumentException("machine URL must name a host, got " + machine);
        }
        if (!rawPath.startsWith("/")) {
            throw new IllegalArgumentException("rawPath must start with '/', got '" + rawPath + "'");
        }
    }

    /** The request's URL at the machine. */
    public URI httpUri() {
        return at(machine.getScheme());
    }

    /** The request's URL at the machine for a WebSocket ({@code ws} or {@code wss}). */
    public URI webSocketUri() {
        return at("https".equals(machine.getScheme()) ? "wss" : "ws");
    }

    /** The request's target at the machine in origin form: the machine URL's path, the path and the query. */
    public String requestTarget() {
        String base = machine.getRawPath() == null ? "" : machine.getRawPath();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + rawPath + (rawQuery == null ? "" : "?" + rawQuery);
    }

    private URI at(String scheme) {
        return URI.create(scheme + "://" + machine.getRawAuthority() + requestTarget());
    }
}
