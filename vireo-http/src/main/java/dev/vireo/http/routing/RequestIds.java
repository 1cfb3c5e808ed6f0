package dev.vireo.http.routing;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 16 random hex digits, enough to find one request in the logs. */
final class RequestIds {

    private RequestIds() {
    }

    static String next() {
        long v = ThreadLocalRandom.current().nextLong();
        String hex = Long.toHexString(v);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
