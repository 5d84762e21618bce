package dev.velocitypreview.boot.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a Kafka Streams app of a service keeps its stores: the configured directory, or, when none is
 * configured, a temporary one of its own that is removed when the app stops (the stores are rebuilt from
 * their topics at the next start, so nothing is lost with it).
 *
 * @param temporary whether it was made here, and so is removed by {@link #removeIfTemporary()}
 */
public record StreamsStateDirectory(Path path, boolean temporary) {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsStateDirectory.class);

    /** @param service names the temporary directory, so an operator can tell whose it is */
    public static StreamsStateDirectory of(@Nullable Path configured, String service) {
        if (configured != null) {
            return new StreamsStateDirectory(configured, false);
        }
        try {
            return new StreamsStateDirectory(Files.createTempDirectory("velocity-" + service + "-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka Streams state directory", e);
        }
    }

    /** Removes the directory and everything in it when it is temporary; a failure is logged, not thrown. */
    public void removeIfTemporary() {
        if (!temporary) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(entry -> {
                try {
                    Files.deleteIfExists(entry);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.atWarn().addKeyValue("stateDir", path).addKeyValue("error", e.toString())
                    .log("could not remove the temporary state directory");
        }
    }
}
