package dev.velocitypreview.core.topic;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;

/** A topic's name together with the serdes of its keys and values, defined once in {@link Topics}. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    public Topic {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(keySerde, "keySerde == null");
        Objects.requireNonNull(valueSerde, "valueSerde == null");
    }
}
