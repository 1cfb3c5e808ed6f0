package dev.vireo.bench.viewers;

import dev.vireo.bench.measure.BenchClock;
import dev.vireo.bench.measure.FlowCounters;
import dev.vireo.bench.measure.Measurement;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A classic HLS viewer on a virtual thread: reloads the playlist every {@code pollMillis} and
 * fetches each new segment once, from the live edge on (as a player does). Counts segments as
 * frames ({@link FlowCounters#onUninspectedFrame}): nothing is demuxed, so it costs the bench little.
 */
public final class HlsPollViewer extends BaseViewer {

    private volatile boolean running = true;
    private final Thread thread;

    private HlsPollViewer(HttpClient http, URI playlist, int pollMillis, Measurement measurement) {
        super(new FlowCounters(measurement, false));
        counters.markOpened(BenchClock.nowNanos());
        thread = Thread.ofVirtual().name("hls-viewer").start(() -> run(http, playlist, pollMillis));
    }

    public static HlsPollViewer open(HttpClient http, URI playlist, int pollMillis, Measurement measurement) {
        return new HlsPollViewer(http, playlist, pollMillis, measurement);
    }

    private void run(HttpClient http, URI playlist, int pollMillis) {
        Set<String> seen = new HashSet<>();
        boolean first = true;
        try {
            while (running) {
                HttpResponse<String> p = http.send(HttpRequest.newBuilder(playlist).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (p.statusCode() != 200) {
                    throw new IllegalStateException("playlist: HTTP " + p.statusCode());
                }
                started.complete(null);
                var uris = p.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
                for (int i = 0; i < uris.size() && running; i++) {
                    String u = uris.get(i);
                    String id = u.contains("?") ? u.substring(0, u.indexOf('?')) : u;
                    if (!seen.add(id) || first && i < uris.size() - 1) {
                        continue;
                    }
                    HttpResponse<byte[]> seg = http.send(HttpRequest.newBuilder(playlist.resolve(u))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    if (seg.statusCode() == 200) {
                        counters.onUninspectedFrame(BenchClock.nowNanos(), seg.body().length);
                    }
                }
                if (seen.size() > 64) {
                    seen.retainAll(uris.stream().map(u -> u.contains("?") ? u.substring(0, u.indexOf('?')) : u).toList());
                }
                first = false;
                Thread.sleep(pollMillis + ThreadLocalRandom.current().nextInt(pollMillis / 4 + 1)); // a player's reload timer
            }
        } catch (InterruptedException e) {
            // closed by the bench
        } catch (Exception e) {
            if (running) {
                keepCloseReason("error: " + e);
            }
        } finally {
            running = false;
            endStart("closed by the bench");
        }
    }

    @Override
    public boolean isOpen() {
        return running;
    }

    @Override
    public void close() {
        keepCloseReason("closed by the bench");
        running = false;
        thread.interrupt();
    }
}
