package dev.vireo.server;

/** A configuration that cannot be used; the message says which setting, from where, and why. */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
