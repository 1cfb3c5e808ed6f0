package dev.vireo.core;

import java.util.Objects;

/**
 * Identity of a live stream: ingest domain (virtual host), application and stream name.
 * A streaming domain is mapped to its ingest domain before a key is built, and a
 * transcoded variant is its own key ({@code stream_{templateId}}).
 */
public record StreamKey(String vhost, String app, String stream) {

    /** The vhost used when no domain is configured (the zero-config case). */
    public static final String DEFAULT_VHOST = "__defaultVhost__";

    public StreamKey {
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(stream, "stream");
    }

    public static StreamKey of(String app, String stream) {
        return new StreamKey(DEFAULT_VHOST, app, stream);
    }

    /** {@code /app/stream}, the form used in URLs, logs and signatures. */
    public String path() {
        return "/" + app + "/" + stream;
    }

    @Override
    public String toString() {
        return vhost + path();
    }
}
