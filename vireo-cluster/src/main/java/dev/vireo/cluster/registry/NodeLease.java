package dev.vireo.cluster.registry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A live node as its lease hash ({@code vireo:node:{id}}) describes it.
 *
 * @param host the host other nodes reach it at
 * @param port the port they pull from (0: its relay is not listening)
 * @param load its live streams plus viewers, for spreading pulls
 * @param startedAt when it joined (epoch milliseconds)
 */
public record NodeLease(String id, String role, String region, String host, int port, long load, long startedAt) {

    /** The hash fields. */
    public Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("role", role);
        m.put("region", region);
        m.put("host", host);
        m.put("port", Integer.toString(port));
        m.put("load", Long.toString(load));
        m.put("started", Long.toString(startedAt));
        return m;
    }

    /** The lease a hash describes, or null when it is not a lease (e.g. expired between scan and read). */
    public static NodeLease of(Map<String, String> h) {
        if (h == null || h.get("id") == null) {
            return null;
        }
        return new NodeLease(h.get("id"), h.getOrDefault("role", ""), h.getOrDefault("region", ""),
                h.getOrDefault("host", ""), (int) number(h.get("port")), number(h.get("load")), number(h.get("started")));
    }

    private static long number(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
