package dev.vireo.rtmp;

import dev.vireo.core.Gate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a client said in {@code connect} (RTMP spec §7.2.1.1) that later decides access: the host
 * of the tcUrl, the application (without its query) and the query parts of tcUrl and app (they
 * carry {@code auth_key}, {@code vhost}, ...), plus the Enhanced RTMP {@code fourCcList}.
 */
record ConnectParams(String tcUrl, String host, String app, String connectQuery, double objectEncoding,
                     List<String> fourCcList) {

    /** Longest tcUrl/app/stream name accepted; real ones are far shorter. */
    static final int MAX_URL_LENGTH = 4096;

    static ConnectParams from(CommandMessage connect) {
        Map<String, Object> p = connect.properties();
        String tcUrl = text(p.get("tcUrl"), "tcUrl");
        String appField = text(p.get("app"), "app");
        String tcQuery = "";
        String host = "";
        String tcPath = "";
        if (!tcUrl.isEmpty()) {
            int q = tcUrl.indexOf('?');
            if (q >= 0) {
                tcQuery = tcUrl.substring(q + 1);
            }
            String noQuery = q >= 0 ? tcUrl.substring(0, q) : tcUrl;
            int scheme = noQuery.indexOf("://");
            String rest = scheme >= 0 ? noQuery.substring(scheme + 3) : noQuery;
            int slash = rest.indexOf('/');
            String authority = slash >= 0 ? rest.substring(0, slash) : rest;
            tcPath = slash >= 0 ? rest.substring(slash + 1) : "";
            host = hostOf(authority);
        }
        String app = appField;
        String appQuery = "";
        int q = app.indexOf('?');
        if (q >= 0) {
            appQuery = app.substring(q + 1);
            app = app.substring(0, q);
        }
        if (app.isEmpty()) {
            app = tcPath;
        }
        while (app.endsWith("/")) {
            app = app.substring(0, app.length() - 1);
        }
        double encoding = p.get("objectEncoding") instanceof Double d ? d : 0;
        List<String> fourCcs = new ArrayList<>();
        if (p.get("fourCcList") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s) {
                    fourCcs.add(s);
                }
            }
        }
        // The same query often appears in both tcUrl and app (ffmpeg copies it): keep it once.
        String query = appQuery.equals(tcQuery) ? tcQuery : join(appQuery, tcQuery);
        return new ConnectParams(tcUrl, host, app, query, encoding, List.copyOf(fourCcs));
    }

    /**
     * The Gate request for publishing or playing {@code streamName} (which may carry a query).
     * A {@code vhost=} or {@code domain=} parameter in any query overrides the tcUrl host, so
     * clients that connect by IP address can still name their domain.
     */
    Gate.AccessRequest accessRequest(Gate.Action action, String streamName, String clientAddress) {
        String stream = streamName;
        String streamQuery = "";
        int q = streamName.indexOf('?');
        if (q >= 0) {
            streamQuery = streamName.substring(q + 1);
            stream = streamName.substring(0, q);
        }
        String query = join(streamQuery, connectQuery);
        String vhost = param(query, "vhost");
        if (vhost == null) {
            vhost = param(query, "domain");
        }
        String effectiveHost = vhost != null && !vhost.isEmpty() ? vhost : host;
        return new Gate.AccessRequest(action, "rtmp", effectiveHost, app, stream, "", query, clientAddress);
    }

    /** The first value of {@code name} in a query string, or null. */
    static String param(String query, String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String k = eq >= 0 ? part.substring(0, eq) : part;
            if (k.equals(name)) {
                return eq >= 0 ? part.substring(eq + 1) : "";
            }
        }
        return null;
    }

    private static String join(String a, String b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : a + "&" + b;
    }

    private static String hostOf(String authority) {
        String a = authority;
        int at = a.lastIndexOf('@');
        if (at >= 0) {
            a = a.substring(at + 1);
        }
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return end > 0 ? a.substring(1, end) : a;
        }
        int colon = a.indexOf(':');
        return colon >= 0 ? a.substring(0, colon) : a;
    }

    private static String text(Object o, String what) {
        if (o == null) {
            return "";
        }
        if (!(o instanceof String s)) {
            throw new RtmpProtocolException("connect: " + what + " is not a string");
        }
        if (s.length() > MAX_URL_LENGTH) {
            throw new RtmpProtocolException("connect: " + what + " longer than " + MAX_URL_LENGTH + " characters");
        }
        return s;
    }
}
