package dev.vireo.control;

/**
 * The JSON body of a webhook POST.
 *
 * @param id unique per event, the same on every retry (for de-duplication)
 * @param event "publish", "unpublish", "play" or "stop"
 * @param time ISO-8601 instant of the event
 * @param domain the domain whose notify URL receives the event
 * @param vhost the stream's ingest domain
 * @param sessionId the publisher's or viewer's session id
 */
record WebhookEvent(String id, String event, String time, String domain, String vhost, String app, String stream,
                    String sessionId) {
}
