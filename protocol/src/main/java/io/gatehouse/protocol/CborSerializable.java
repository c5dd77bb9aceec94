package io.gatehouse.protocol;

/**
 * Marker for every message, event and state that crosses a process boundary or reaches the
 * journal. It is bound to Pekko's Jackson CBOR serializer in {@code serialization.conf}.
 */
public interface CborSerializable {}
