package dev.vireo.core;

/** A viewer's attachment to a stream; {@link #close()} detaches it (idempotent, any thread). */
public interface Subscription extends AutoCloseable {

    Stream stream();

    @Override
    void close();
}
