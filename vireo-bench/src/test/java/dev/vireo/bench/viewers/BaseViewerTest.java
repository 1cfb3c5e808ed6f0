package dev.vireo.bench.viewers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.bench.measure.FlowCounters;
import dev.vireo.bench.measure.Measurement;
import org.junit.jupiter.api.Test;

/** The close reason and the start every bench viewer keeps through {@link BaseViewer}. */
class BaseViewerTest {

    private static final class TestViewer extends BaseViewer {
        TestViewer() {
            super(new FlowCounters(new Measurement(), true));
        }

        @Override
        public boolean isOpen() {
            return false;
        }

        @Override
        public void close() {
            keepCloseReason("closed by the bench");
        }
    }

    @Test
    void theFirstReasonStandsAndAPendingStartFailsWithIt() {
        TestViewer v = new TestViewer();
        v.failStart("connect failed");
        v.close();
        assertThat(v.closeReason()).isEqualTo("connect failed");
        assertThat(v.started()).isCompletedExceptionally();
        assertThat(v.started().exceptionNow()).hasMessage("connect failed");
    }

    @Test
    void anEndFailsAPendingStartWithTheReasonKeptBefore() {
        TestViewer v = new TestViewer();
        v.replaceCloseReason("NetStream.Play.UnpublishNotify: gone");
        v.endStart("server closed the connection");
        assertThat(v.closeReason()).isEqualTo("NetStream.Play.UnpublishNotify: gone");
        assertThat(v.started().exceptionNow()).hasMessage("NetStream.Play.UnpublishNotify: gone");
    }

    @Test
    void aStartedViewerKeepsItsStartWhenItEnds() {
        TestViewer v = new TestViewer();
        v.started.complete(null);
        v.endStart("server closed the connection");
        assertThat(v.started()).isCompleted().isNotCompletedExceptionally();
        assertThat(v.closeReason()).isEqualTo("server closed the connection");
        assertThat(v.counters()).isNotNull();
    }
}
