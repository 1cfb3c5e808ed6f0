package dev.vireo.control.hooks;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The JSON body of a webhook POST.
 *
 * @param id unique per event, the same on every retry (for de-duplication)
 * @param event "publish", "unpublish", "play", "stop" or "record_done"
 * @param time ISO-8601 instant of the event
 * @param domain the domain whose notify URL receives the event
 * @param vhost the stream's ingest domain
 * @param sessionId the publisher's or viewer's session id (the recorder's for record_done)
 * @param recording the finished file of a record_done event, absent from the others
 */
public record WebhookEvent(String id, String event, String time, String domain, String vhost, String app, String stream,
                    String sessionId, @JsonInclude(JsonInclude.Include.NON_NULL) Recording recording) {

    /**
     * A finished recording.
     *
     * @param file its path under the recordings directory ({vhost}/{app}/{stream}/{start}.mp4)
     * @param durationMs media duration written
     * @param reason why it was closed (rotation, codec change, stream end)
     */
    public record Recording(String file, long bytes, long durationMs, String reason) {
    }
}
