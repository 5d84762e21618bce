package dev.velocitypreview.cdc;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Host, port and database name of a PostgreSQL JDBC url, which Debezium takes as separate settings.
 * Only single-host urls are accepted: the relay must talk to the primary that holds its slot.
 */
record PostgresUrl(String host, int port, String database) {

    private static final String PREFIX = "jdbc:postgresql:";
    private static final int DEFAULT_PORT = 5432;

    static PostgresUrl parse(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith(PREFIX)) {
            throw new IllegalArgumentException("jdbcUrl must start with " + PREFIX + ", got " + jdbcUrl);
        }
        String rest = jdbcUrl.substring(PREFIX.length());
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
        }
        if (!rest.startsWith("//")) {
            // jdbc:postgresql:database means localhost:5432
            return new PostgresUrl("localhost", DEFAULT_PORT, database(jdbcUrl, rest));
        }
        rest = rest.substring(2);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : rest.substring(slash + 1);
        if (authority.contains(",")) {
            throw new IllegalArgumentException("jdbcUrl must name a single host, got " + jdbcUrl);
        }
        String host = authority;
        int port = DEFAULT_PORT;
        int colon = authority.lastIndexOf(':');
        int bracket = authority.lastIndexOf(']');
        if (colon > bracket) {
            host = authority.substring(0, colon);
            try {
                port = Integer.parseInt(authority.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("jdbcUrl has a port that is not a number: " + jdbcUrl);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("jdbcUrl has a port outside 1-65535: " + jdbcUrl);
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        return new PostgresUrl(host, port, database(jdbcUrl, database));
    }

    private static String database(String jdbcUrl, String raw) {
        String database = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        if (database.isEmpty()) {
            throw new IllegalArgumentException("jdbcUrl must name a database, got " + jdbcUrl);
        }
        return database;
    }
}
