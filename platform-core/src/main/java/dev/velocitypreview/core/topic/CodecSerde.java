package dev.velocitypreview.core.topic;

import java.util.function.Function;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A serde made of an encode and a decode function; null stays null (tombstones). */
final class CodecSerde<T> implements Serde<T> {

    private final Function<T, byte[]> encode;
    private final Function<byte[], T> decode;

    CodecSerde(Function<T, byte[]> encode, Function<byte[], T> decode) {
        this.encode = encode;
        this.decode = decode;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode.apply(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode.apply(bytes);
    }
}
