/**
 * The cleanup service. One Kafka Streams application (application id and group {@code cleanup},
 * {@code exactly_once_v2}) reads the session changelog, the routers' activity and pass requests, all three
 * partitioned alike, so that the task of partition p owns the sessions of p: no two instances ever act on one
 * session, and a task that moves (an instance died) is rebuilt from its stores' changelogs.
 *
 * <p>Why a wall-clock punctuator over a deadline index, not a scan: each session is indexed under the time it
 * may next be due (expiry, idle, suspended timeout, retention), keyed by zero-padded epoch millis, so a tick
 * reads only what is due, however many sessions are live. Why the commands go out through a sink of the same
 * topology: the command and the store entry that remembers it was issued commit in one transaction, so an
 * instance killed mid-way neither loses nor repeats one.
 */
@NullMarked
package dev.velocitypreview.cleanup;

import org.jspecify.annotations.NullMarked;
