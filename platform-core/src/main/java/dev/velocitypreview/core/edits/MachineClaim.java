package dev.velocitypreview.core.edits;

import java.net.URI;
import java.util.Objects;
import java.util.UUID;

/**
 * What a pooled machine's runtime is told when a session claims it: the session it serves from now on, the project's
 * files where they differ from the template it warmed up with (a {@link SyncResponse}: every stored file with its
 * version, content only where the template's copy differs, and the template's paths the project does not have), and
 * the live-edit and replay wiring a fresh machine of that session would have had in its environment. The runtime
 * writes the files through its live-edit writer, so its running dev server picks them up, and answers the claim once
 * they are checked. A machine is claimed once: a second claim for the same session is answered as the first (a
 * provisioner that crashed sends it again), one for another session is refused.
 *
 * @param syncUrl     the session's sync endpoint, or null when live edits are off
 * @param syncToken   the session's sync token; null exactly when {@code syncUrl} is
 * @param replayState the session's replay state, which the machine requires on every replayed request from then on;
 *                    null where machines are reached without a replay (local machines)
 */
public record MachineClaim(UUID sessionId, UUID projectId, SyncResponse files, URI syncUrl,
                           String syncToken, String replayState) {
    public MachineClaim {
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(projectId, "projectId == null");
        Objects.requireNonNull(files, "files == null");
        if ((syncUrl == null) != (syncToken == null)) {
            throw new IllegalArgumentException("a claim carries the sync url and token together or neither");
        }
    }

    /** This claim with the replay state the driver derives for the session. */
    public MachineClaim withReplayState(String state) {
        return new MachineClaim(sessionId, projectId, files, syncUrl, syncToken, state);
    }

    @Override
    public String toString() {
        return "MachineClaim[session=" + sessionId + ", project=" + projectId + ", files=" + files.files().size()
                + ", deleted=" + files.deleted().size() + ", sync=" + syncUrl + "]";
    }
}
