package dev.vireo.bench.fanout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * How long a thread woken by a queue waits to run while CPU-bound virtual threads keep the
 * carriers busy: the shape of a transcoding job's stdin writer (woken for every source frame) while
 * WHEP viewers join (each DTLS handshake is a virtual thread doing a few milliseconds of
 * BouncyCastle crypto between flights). A producer offers a time stamp every 20 ms for 4 s; the
 * consumer, a virtual or a platform thread, records offer → take; {@code hogs} virtual threads
 * loop 5 ms of CPU then a 20 ms sleep. Prints p50/p99/max per mode (docs/BENCHMARKS.md, "The browser
 * variant's tail").
 *
 * <pre>java -cp vireo-bench/target/vireo-bench-0.1.0-SNAPSHOT.jar dev.vireo.bench.fanout.CarrierWake 0,4,8,16</pre>
 */
public final class CarrierWake {

    private static final long RUN_NANOS = 4_000_000_000L;

    private CarrierWake() {
    }

    public static void main(String[] args) throws Exception {
        for (String h : (args.length > 0 ? args[0] : "0,4,8,16").split(",")) {
            int hogs = Integer.parseInt(h.trim());
            for (boolean platform : new boolean[] {false, true}) {
                List<Long> d = run(platform, hogs);
                System.out.printf(Locale.ROOT, "%-8s consumer, %2d CPU-bound virtual threads: %d wakes, delay p50 %.2f p99 %.1f max %.1f ms%n",
                        platform ? "platform" : "virtual", hogs, d.size(), d.get(d.size() / 2) / 1e6,
                        d.get((int) (d.size() * 0.99)) / 1e6, d.get(d.size() - 1) / 1e6);
            }
        }
    }

    private static List<Long> run(boolean platform, int hogs) throws InterruptedException {
        LinkedBlockingQueue<Long> queue = new LinkedBlockingQueue<>();
        List<Long> delays = Collections.synchronizedList(new ArrayList<>());
        Runnable consumer = () -> {
            try {
                for (long t = queue.take(); t >= 0; t = queue.take()) {
                    delays.add(System.nanoTime() - t);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread c = platform ? Thread.ofPlatform().start(consumer) : Thread.ofVirtual().start(consumer);
        long end = System.nanoTime() + RUN_NANOS;
        List<Thread> hogThreads = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            hogThreads.add(Thread.ofVirtual().start(() -> {
                double x = 0;
                while (System.nanoTime() < end) {
                    long until = System.nanoTime() + 5_000_000;
                    while (System.nanoTime() < until) {
                        x += Math.sqrt(x + 1);
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (x < 0) {
                    System.out.print(""); // keeps the loop from being optimised away
                }
            }));
        }
        while (System.nanoTime() < end) {
            queue.add(System.nanoTime());
            Thread.sleep(20);
        }
        queue.add(-1L);
        c.join();
        for (Thread t : hogThreads) {
            t.join();
        }
        List<Long> d = new ArrayList<>(delays);
        Collections.sort(d);
        return d;
    }
}
