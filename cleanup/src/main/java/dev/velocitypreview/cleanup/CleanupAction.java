package dev.velocitypreview.cleanup;

import java.util.Locale;

/** What cleanup does to a session or a machine; each is issued at most once per session (or machine). */
enum CleanupAction {
    /** TERMINATE with reason {@code expired}: the session reached its {@code expires_at}. */
    EXPIRE,
    /** SUSPEND: the session went unused for its idle timeout. */
    SUSPEND,
    /** TERMINATE with reason {@code idle}: the session stayed suspended longer than the suspended timeout. */
    TERMINATE_IDLE,
    /** REAP_MACHINE: a machine serves no live session. */
    REAP_MACHINE,
    /** MACHINE_LOST: a live session's machine is gone. */
    MACHINE_LOST,
    /** PURGE (and a command-topic tombstone): the session ended longer ago than the retention. */
    PURGE;

    /** The metric tag value. */
    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
