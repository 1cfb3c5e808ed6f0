package dev.vireo.rtmp;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/** Captures the session log lines of this module, to assert that a close reason was logged. */
final class LogCapture implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.vireo.rtmp.session");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        appender.start();
        logger.addAppender(appender);
    }

    boolean contains(String text) {
        synchronized (appender) {
            return appender.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
        }
    }

    /** How many lines contain {@code text}. */
    long count(String text) {
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getFormattedMessage().contains(text)).count();
        }
    }

    /** Waits until a line containing every part was logged; returns that line. */
    String await(Duration timeout, String... parts) throws InterruptedException {
        String[] found = new String[1];
        TestServer.await("a log line containing " + String.join(" + ", parts), timeout, () -> {
            synchronized (appender) {
                for (ILoggingEvent e : appender.list) {
                    String m = e.getFormattedMessage();
                    boolean all = true;
                    for (String p : parts) {
                        all &= m.contains(p);
                    }
                    if (all) {
                        found[0] = m;
                        return true;
                    }
                }
                return false;
            }
        });
        return found[0];
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
