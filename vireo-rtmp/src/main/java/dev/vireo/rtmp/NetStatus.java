package dev.vireo.rtmp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The info object of {@code onStatus} and of a connect {@code _result} (RTMP spec §7.2.1.1,
 * §7.2.2): level, code, description.
 */
record NetStatus(String level, String code, String description) {

    static final String STATUS = "status";
    static final String ERROR = "error";

    static NetStatus status(String code, String description) {
        return new NetStatus(STATUS, code, description);
    }

    static NetStatus error(String code, String description) {
        return new NetStatus(ERROR, code, description);
    }

    /** The info object as an AMF0 object, plus extra properties. */
    Map<String, Object> toObject(Object... extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("level", level);
        m.put("code", code);
        m.put("description", description);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            m.put((String) extra[i], extra[i + 1]);
        }
        return m;
    }

    /** An {@code onStatus} command (transaction 0, null command object) carrying this info. */
    CommandMessage onStatus(Object... extra) {
        return CommandMessage.of("onStatus", 0, null, toObject(extra));
    }

    static NetStatus from(Object info) {
        if (info instanceof Map<?, ?> m) {
            return new NetStatus(str(m.get("level")), str(m.get("code")), str(m.get("description")));
        }
        return new NetStatus("", "", "");
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }
}
