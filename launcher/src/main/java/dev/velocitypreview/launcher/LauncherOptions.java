package dev.velocitypreview.launcher;

import java.nio.file.Path;
import java.util.List;

/**
 * The launcher's command line. Every option has a default, so no option is needed at all.
 *
 * @param dataDir      where PostgreSQL, Kafka and the preview machines keep their data between runs
 * @param clean        wipe {@code dataDir} before starting
 * @param apiPort      session API port
 * @param routerPort   router (preview) port
 * @param kafkaPort    the embedded broker's client port
 * @param postgresPort the embedded PostgreSQL port
 * @param warmPool     react machines kept ready for new sessions ({@code velocity.provisioner.pool.templates.react});
 *                     each costs a running preview's memory (about 185 MiB), so the default is one
 */
record LauncherOptions(Path dataDir, boolean clean, int apiPort, int routerPort, int kafkaPort, int postgresPort,
                       int warmPool) {

    static final String USAGE = """
            usage: velocity-preview [options]
              --data-dir=DIR       where all data lives (default: .velocity-preview in the current directory)
              --clean              delete the data directory first and start from nothing
              --api-port=N         session API port (default 8080)
              --router-port=N      preview router port (default 8081)
              --kafka-port=N       embedded Kafka broker port (default 19092; its controller uses N+1)
              --postgres-port=N    embedded PostgreSQL port (default 15432)
              --warm-pool=N        react preview machines kept running, ready for new sessions (default 1; 0: none)
              --help               show this text
            """;

    static LauncherOptions defaults() {
        return new LauncherOptions(Path.of(".velocity-preview"), false, 8080, 8081, 19092, 15432, 1);
    }

    /**
     * @throws IllegalArgumentException naming the option that is wrong
     */
    static LauncherOptions parse(List<String> args) {
        LauncherOptions d = defaults();
        Path dataDir = d.dataDir;
        boolean clean = d.clean;
        int apiPort = d.apiPort;
        int routerPort = d.routerPort;
        int kafkaPort = d.kafkaPort;
        int postgresPort = d.postgresPort;
        int warmPool = d.warmPool;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? null : arg.substring(eq + 1);
            switch (name) {
                case "--data-dir" -> dataDir = Path.of(require(name, value));
                case "--clean" -> clean = true;
                case "--api-port" -> apiPort = port(name, value);
                case "--router-port" -> routerPort = port(name, value);
                case "--kafka-port" -> kafkaPort = port(name, value);
                case "--postgres-port" -> postgresPort = port(name, value);
                case "--warm-pool" -> warmPool = machines(name, value);
                default -> throw new IllegalArgumentException("unknown option '" + name + "' (see --help)");
            }
        }
        return new LauncherOptions(dataDir, clean, apiPort, routerPort, kafkaPort, postgresPort, warmPool);
    }

    private static int machines(String name, String value) {
        String raw = require(name, value);
        try {
            int machines = Integer.parseInt(raw);
            if (machines < 0 || machines > 64) {
                throw new NumberFormatException();
            }
            return machines;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of machines from 0 to 64, got '" + raw + "'");
        }
    }

    private static String require(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " needs a value, as in " + name + "=...");
        }
        return value;
    }

    private static int port(String name, String value) {
        String raw = require(name, value);
        try {
            int port = Integer.parseInt(raw);
            if (port < 1 || port > 65534) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number from 1 to 65534, got '" + raw + "'");
        }
    }
}
