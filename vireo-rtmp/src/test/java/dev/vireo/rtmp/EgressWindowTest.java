package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EgressWindowTest {

    @Test
    void activeFromTheThresholdOnAndFlushesEveryGathererOncePerWindow() {
        EmbeddedChannel ch = new EmbeddedChannel();
        EgressWindow w = new EgressWindow(ch.eventLoop(), 2, TimeUnit.MILLISECONDS.toNanos(40));
        w.join();
        assertThat(w.active()).as("one viewer: write as frames come").isFalse();
        w.join();
        assertThat(w.active()).isTrue();

        List<String> flushed = new ArrayList<>();
        w.add(() -> flushed.add("a"));
        w.add(() -> flushed.add("b"));
        ch.runPendingTasks();
        assertThat(flushed).as("nothing before the window closes").isEmpty();
        ch.advanceTimeBy(40, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(flushed).containsExactly("a", "b");

        w.add(() -> flushed.add("c"));
        ch.advanceTimeBy(40, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(flushed).containsExactly("a", "b", "c");

        w.leave();
        assertThat(w.active()).isFalse();
        assertThat(new EgressWindow(ch.eventLoop(), 0, 40_000_000).active()).as("0 = never").isFalse();
        ch.finishAndReleaseAll();
    }
}
