package dev.vireo.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class SessionLoggerTest {

    @Test
    void everyLineCarriesTheSessionIdAndStreamKeyInTheMessageAndTheMdc() {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.vireo.core.test.session");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            SessionLogger log = new SessionLogger(logger, "s-1", "/10.0.0.1:5000", "-") {
            };
            log.warn("connect from {}", log.peer());
            log.streamKey("v/live/cam");
            log.warn("publishing {}", "v/live/cam");

            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("[s-1 -] connect from /10.0.0.1:5000", "[s-1 v/live/cam] publishing v/live/cam");
            ILoggingEvent last = appender.list.get(1);
            assertThat(last.getMDCPropertyMap()).containsEntry(LogContext.SESSION_ID, "s-1")
                    .containsEntry(LogContext.STREAM_KEY, "v/live/cam");
            assertThat(MDC.get(LogContext.SESSION_ID)).isNull(); // removed after the line
        } finally {
            logger.detachAppender(appender);
        }
    }
}
