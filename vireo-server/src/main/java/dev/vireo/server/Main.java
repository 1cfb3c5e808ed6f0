package dev.vireo.server;

import dev.vireo.control.urls.UrlCommand;
import io.netty.util.ResourceLeakDetector;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vireo [options]}: loads the configuration, starts the server, prints where to push and
 * play, and stops gracefully on SIGTERM/SIGINT. Exit codes: 2 for a bad configuration, 1 when
 * the server cannot start (e.g. a port is taken).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("url")) {
            // `vireo url ...`: the URL generator, asking the running server's API.
            System.exit(UrlCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err,
                    System.getenv()));
            return;
        }
        if (args.length > 0 && args[0].equals("rotate-store-key")) {
            // `vireo rotate-store-key NEW_KEY_FILE [options]`: the store's secrets under a new key (nodes stopped).
            System.exit(StoreKeyCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), Path.of(""),
                    System.out, System.err));
            return;
        }
        // Netty samples one buffer in 128 for leak tracking, each with a stack trace: a few per cent
        // of the fan-out CPU. Off in the server unless asked for (-Dio.netty.leakDetection.level=...);
        // the tests keep it on.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        ConfigLoader.Outcome outcome;
        try {
            outcome = ConfigLoader.load(Arrays.asList(args), System.getenv(), Path.of(""));
        } catch (ConfigException e) {
            System.err.println("vireo: " + e.getMessage());
            System.err.println("Run 'vireo --help' to list the options.");
            System.exit(2);
            return;
        }
        if (outcome instanceof ConfigLoader.Help help) {
            System.out.print(help.text());
            return;
        }
        ConfigLoader.Run run = (ConfigLoader.Run) outcome;
        Config config = run.config();
        LogLevels.apply(config.logLevel());
        Logger log = LoggerFactory.getLogger(Main.class);
        if (run.file() != null) {
            log.info("configuration from {}", run.file().toAbsolutePath());
        }

        VireoServer server = new VireoServer(config);
        VireoServer.BoundPorts ports;
        try {
            ports = server.start();
        } catch (RuntimeException e) {
            // A taken port, an unusable bind address, an unwritable data directory.
            log.error("cannot start: {}", e.getMessage());
            System.err.println("vireo: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "vireo-shutdown"));

        String host = publicHost(config);
        System.out.println();
        System.out.println("Vireo is running.");
        System.out.printf("  Push (RTMP):      ffmpeg -re -i INPUT -c:v libx264 -c:a aac -f flv rtmp://%s:%d/live/demo%n",
                host, ports.rtmp());
        if (ports.srt() > 0) {
            System.out.printf("  Push (SRT):       ffmpeg -re -i INPUT -c:v libx264 -c:a aac -f mpegts"
                    + " 'srt://%s:%d?streamid=#!::r=live/demo,m=publish'%n", host, ports.srt());
        }
        System.out.printf("  Play (HTTP-FLV):  ffplay http://%s:%d/live/demo.flv%n", host, ports.http());
        System.out.printf("  Play (RTMP):      ffplay rtmp://%s:%d/live/demo%n", host, ports.rtmp());
        System.out.printf("  Play (HLS):       ffplay http://%s:%d/live/demo.m3u8%n", host, ports.http());
        System.out.printf("  Play (LL-HLS):    http://%s:%d/live/demo/llhls.m3u8 (hls.js, Safari)%n", host, ports.http());
        System.out.printf("  Play (browser):   http://%s:%d/play/live/demo%n", host, ports.http());
        System.out.printf("  Play (WHEP):      POST http://%s:%d/live/demo/whep (WebRTC media on UDP %d)%n", host,
                ports.http(), ports.rtc());
        System.out.printf("  Streams:          http://%s:%d/api/v1/streams%n", host, ports.http());
        System.out.printf("  Metrics:          http://%s:%d/metrics%n", host, ports.http());
        server.control().generatedAdminKey().ifPresent(k -> System.out.printf(
                "  Admin API key:    %s   (shown once: only its hash is stored; VIREO_ADMIN_KEY sets it)%n", k));
        System.out.println();
    }

    /** The configured public host, the bound address when specific, else this machine's address. */
    static String publicHost(Config config) {
        if (!config.publicHost().isEmpty()) {
            return config.publicHost();
        }
        String bind = config.bind();
        if (!bind.equals("0.0.0.0") && !bind.equals("::") && !bind.equals("[::]")) {
            return bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
        }
        try {
            Enumeration<NetworkInterface> nics = NetworkInterface.getNetworkInterfaces();
            while (nics != null && nics.hasMoreElements()) {
                NetworkInterface nic = nics.nextElement();
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // Fall through to loopback: the URLs are a hint for the operator.
        }
        return "127.0.0.1";
    }
}
