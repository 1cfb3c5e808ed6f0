package dev.vireo.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.vireo.http.hls.HlsConfig;
import dev.vireo.record.RecordRules;
import dev.vireo.srt.SrtConfig;
import dev.vireo.cluster.registry.RegistryConfig;
import dev.vireo.webrtc.WebRtcConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link Config}: embedded defaults, overridden by a YAML file ({@code --config FILE},
 * else {@code VIREO_CONFIG}, else {@code vireo.yaml} in the working directory when present), then
 * by environment variables, then by command line flags — each layer wins over the one before.
 */
public final class ConfigLoader {

    static final String CONFIG_FLAG = "--config";
    static final String CONFIG_ENV = "VIREO_CONFIG";
    static final String DEFAULT_FILE = "vireo.yaml";

    /** What the command line asks for. */
    public sealed interface Outcome permits Run, Help {
    }

    /** Start the server with this configuration. */
    public record Run(Config config, Path file) implements Outcome {
    }

    /** Print this usage text and exit. */
    public record Help(String text) implements Outcome {
    }

    private record Value(String text, String source) {
    }

    private ConfigLoader() {
    }

    /**
     * @param args command line arguments
     * @param env environment variables
     * @param workingDir where {@code vireo.yaml} is looked for; null to not look for it
     * @throws ConfigException on an unknown flag or setting, a missing or malformed file, or a bad
     *     value (the message names the setting and where it came from)
     */
    public static Outcome load(List<String> args, Map<String, String> env, Path workingDir) throws ConfigException {
        Map<Setting, Value> flags = new EnumMap<>(Setting.class);
        String configFlag = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                return new Help(usage());
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            Setting setting = Setting.byFlag(name);
            if (setting == null && !name.equals(CONFIG_FLAG)) {
                throw new ConfigException("unknown option '" + name + "'");
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new ConfigException("option " + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (setting == null) {
                configFlag = value;
            } else {
                flags.put(setting, new Value(value, "option " + name));
            }
        }

        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            values.put(s, new Value(s.defaultValue, "default"));
        }
        Path file = configFile(configFlag, env, workingDir);
        if (file != null) {
            values.putAll(readYaml(file));
        }
        for (Setting s : Setting.values()) {
            String v = env.get(s.env);
            if (v != null) {
                values.put(s, new Value(v, "environment variable " + s.env));
            }
        }
        values.putAll(flags);

        Map<Setting, Object> parsed = new EnumMap<>(Setting.class);
        for (Map.Entry<Setting, Value> e : values.entrySet()) {
            Value v = e.getValue();
            try {
                parsed.put(e.getKey(), e.getKey().parse(v.text()));
            } catch (IllegalArgumentException ex) {
                String shown = e.getKey() == Setting.SRT_PASSPHRASE || e.getKey() == Setting.STORE_URL
                        || e.getKey() == Setting.CLUSTER_REDIS || e.getKey() == Setting.CLUSTER_SECRET
                        ? "(secret, not shown)" : v.text();
                throw new ConfigException("invalid " + e.getKey().key + " '" + shown + "' from " + v.source()
                        + ": " + ex.getMessage());
            }
        }
        Config config = new Config(
                (String) parsed.get(Setting.BIND),
                (Integer) parsed.get(Setting.HTTP_PORT),
                (Integer) parsed.get(Setting.RTMP_PORT),
                (Path) parsed.get(Setting.DATA_DIR),
                (String) parsed.get(Setting.LOG_LEVEL),
                (Duration) parsed.get(Setting.RECONNECT_GRACE),
                (Duration) parsed.get(Setting.SLOW_VIEWER_MAX_LAG),
                (Duration) parsed.get(Setting.HTTP_IDLE_TIMEOUT),
                (Integer) parsed.get(Setting.HTTP_MAX_BODY_SIZE),
                (String) parsed.get(Setting.PUBLIC_HOST),
                (Integer) parsed.get(Setting.RTC_PORT),
                (String) parsed.get(Setting.RTC_CANDIDATES),
                (Integer) parsed.get(Setting.HTTPS_PORT),
                (String) parsed.get(Setting.RTC_ICE_SERVERS),
                (Integer) parsed.get(Setting.RTC_MAX_SESSIONS),
                (WebRtcConfig.IceTransports) parsed.get(Setting.RTC_TRANSPORTS),
                hls(parsed),
                new Config.Protection((String) parsed.get(Setting.WEBHOOK_ALLOW),
                        (Duration) parsed.get(Setting.WEBHOOK_AUTH_TIMEOUT),
                        (Boolean) parsed.get(Setting.WEBHOOK_AUTH_FAILURE),
                        (Boolean) parsed.get(Setting.DEFAULT_VHOST),
                        (Duration) parsed.get(Setting.SIGNING_MAX_FUTURE_SKEW),
                        (Integer) parsed.get(Setting.RTC_JOINS_PER_ADDRESS)),
                RecordRules.parse((String) parsed.get(Setting.RECORD_STREAMS), (Duration) parsed.get(Setting.RECORD_ROTATE)),
                (Boolean) parsed.get(Setting.TRANSCODE_HTML5_EAGER),
                SrtConfig.defaults().withBind((String) parsed.get(Setting.BIND), (Integer) parsed.get(Setting.SRT_PORT))
                        .withLatency((Integer) parsed.get(Setting.SRT_LATENCY))
                        .withPassphrase((String) parsed.get(Setting.SRT_PASSPHRASE)),
                new Config.ClusterConfig((String) parsed.get(Setting.STORE_URL),
                        (String) parsed.get(Setting.CLUSTER_REDIS), (String) parsed.get(Setting.NODE_ID),
                        (RegistryConfig.Role) parsed.get(Setting.NODE_ROLE), (String) parsed.get(Setting.NODE_REGION),
                        (String) parsed.get(Setting.NODE_INTERNAL_ADDRESS),
                        (Duration) parsed.get(Setting.CLUSTER_LEASE_TTL), (Duration) parsed.get(Setting.CLUSTER_CLAIM_TTL),
                        (Duration) parsed.get(Setting.CLUSTER_RENEW_INTERVAL)),
                new Config.RelayConfig((Integer) parsed.get(Setting.CLUSTER_PORT),
                        (String) parsed.get(Setting.CLUSTER_SECRET)),
                new Config.LossConfig((Boolean) parsed.get(Setting.RTC_RED)),
                new Config.StoreConfig((Path) parsed.get(Setting.STORE_KEY_FILE)));
        Config.ClusterConfig cc = config.cluster();
        if (cc.renewInterval().compareTo(cc.leaseTtl()) >= 0 || cc.renewInterval().compareTo(cc.claimTtl()) >= 0) {
            throw new ConfigException("cluster.renew-interval " + cc.renewInterval().toMillis()
                    + " ms must be shorter than cluster.lease-ttl and cluster.claim-ttl");
        }
        if (config.httpPort() != 0 && config.httpPort() == config.rtmpPort()) {
            throw new ConfigException("http.port and rtmp.port are both " + config.httpPort());
        }
        if (config.httpsPort() != 0
                && (config.httpsPort() == config.httpPort() || config.httpsPort() == config.rtmpPort())) {
            throw new ConfigException("https.port " + config.httpsPort() + " is also the "
                    + (config.httpsPort() == config.httpPort() ? "http.port" : "rtmp.port"));
        }
        return new Run(config, file);
    }

    /** The embedded defaults alone (no file, no environment, no flags). */
    public static Config defaults() {
        try {
            return ((Run) load(List.of(), Map.of(), null)).config();
        } catch (ConfigException e) {
            throw new IllegalStateException("embedded defaults are invalid", e);
        }
    }

    private static Path configFile(String flag, Map<String, String> env, Path workingDir) throws ConfigException {
        if (flag != null) {
            return existing(Path.of(flag), "option " + CONFIG_FLAG);
        }
        String fromEnv = env.get(CONFIG_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return existing(Path.of(fromEnv), "environment variable " + CONFIG_ENV);
        }
        if (workingDir == null) {
            return null;
        }
        Path local = workingDir.resolve(DEFAULT_FILE);
        return Files.isRegularFile(local) ? local : null;
    }

    private static Path existing(Path file, String source) throws ConfigException {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " (from " + source + ") does not exist");
        }
        return file;
    }

    private static Map<Setting, Value> readYaml(Path file) throws ConfigException {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (JacksonException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<Setting, Value> out = new EnumMap<>(Setting.class);
        if (root == null || root.isMissingNode() || root.isNull()) {
            return out;
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + file + " must be a mapping of settings");
        }
        flatten(root, "", file, out);
        return out;
    }

    private static void flatten(JsonNode node, String prefix, Path file, Map<Setting, Value> out)
            throws ConfigException {
        Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = prefix + f.getKey();
            JsonNode v = f.getValue();
            if (v.isObject()) {
                flatten(v, key + ".", file, out);
                continue;
            }
            Setting s = Setting.byKey(key);
            if (s == null) {
                throw new ConfigException("unknown setting '" + key + "' in " + file + " (see --help)");
            }
            if (!v.isValueNode() || v.isNull()) {
                throw new ConfigException("setting '" + key + "' in " + file + " must be a single value");
            }
            out.put(s, new Value(v.asText(), file.toString()));
        }
    }

    /** The --help text: every option with its environment variable, YAML key and default. */
    public static String usage() {
        StringBuilder b = new StringBuilder();
        b.append("Usage: vireo [options]\n\n")
                .append("Vireo, a self-hosted real-time streaming server.\n")
                .append("Settings come from embedded defaults, then a YAML file, then environment\n")
                .append("variables, then these options (each overrides the ones before).\n\n")
                .append("Options:\n");
        b.append(String.format("  %-34s %s%n", CONFIG_FLAG + " FILE",
                "YAML config file (env " + CONFIG_ENV + "; default ./" + DEFAULT_FILE + " if present)"));
        for (Setting s : Setting.values()) {
            b.append(String.format("  %-34s %s%n", s.flag + " " + s.metavar, s.description));
            b.append(String.format("  %-34s env %s, yaml '%s', default '%s'%n", "", s.env, s.key, s.defaultValue));
        }
        b.append(String.format("  %-34s %s%n", "--help", "print this help and exit"));
        b.append("\nDurations: 500ms, 10s, 2m, 1h. Sizes: bytes, or with KiB/MiB.\n");
        return b.toString();
    }

    /** The HLS settings; a part target longer than the segment target is refused with the reason. */
    private static HlsConfig hls(Map<Setting, Object> parsed) throws ConfigException {
        try {
            return HlsConfig.defaults()
                    .withSegmentTarget((Duration) parsed.get(Setting.HLS_SEGMENT_DURATION))
                    .withPartTarget((Duration) parsed.get(Setting.HLS_PART_DURATION))
                    .withTokenTtl((Duration) parsed.get(Setting.HLS_TOKEN_TTL));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid HLS settings: " + e.getMessage());
        }
    }
}
