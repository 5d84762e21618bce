/**
 * What the router writes to Kafka, never on a request's path: which sessions are in use
 * ({@code preview.session-activity}, for cleanup's idle suspend) and RESUME commands for suspended sessions a
 * request is held for ({@code preview.session-commands}).
 *
 * <p>Choices:
 * <ul>
 *   <li>A request only marks its session in a bounded in-memory map ({@link SessionsInUse}); a scheduled task
 *       publishes the map every {@code velocity.router.activity.interval}, so a session costs at most one record
 *       per interval per router however many requests it gets, and one every interval while a WebSocket (or any
 *       forwarded request) of it is open, so a preview with its HMR socket open is never idle.</li>
 *   <li>The router never creates the activity topic: cleanup does, with as many partitions as the changelog it is
 *       read beside. A producer has no {@code allow.auto.create.topics} (that is a consumer setting; a producer's
 *       metadata requests always let a broker with {@code auto.create.topics.enable=true} create a topic), so the
 *       publisher asks an admin client whether the topic exists before it produces. While it does not (cleanup is
 *       not deployed) activity is dropped, counted, and logged at debug level; a slow broker drops it too. A
 *       request never waits for any of it.</li>
 *   <li>RESUME is a command like the API's: {@code acks=all} and idempotence, refused at start if overridden.
 *       It is sent off the event loop (a first send may wait for metadata) and the held request waits for the
 *       session, not for the acknowledgement.</li>
 * </ul>
 */
@NullMarked
package dev.velocitypreview.router.publish;

import org.jspecify.annotations.NullMarked;
