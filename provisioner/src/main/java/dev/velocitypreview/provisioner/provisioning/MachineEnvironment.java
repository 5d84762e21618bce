package dev.velocitypreview.provisioner.provisioning;

import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.access.SessionSyncToken;
import dev.velocitypreview.provisioner.ProvisionerSettings;

/**
 * The environment the provisioner gives each machine's runtime, whichever driver runs it (drivers add their own
 * wiring beside it): where it syncs its session's live edits ({@value #SYNC_URL}) and the token that lets it sync that
 * session alone ({@value #SYNC_TOKEN}, never the secret the token is derived from). Without
 * {@code velocity.provisioner.machines.sync.*} a machine gets neither and keeps the files it started with.
 */
final class MachineEnvironment {

    static final String SYNC_URL = "PREVIEW_SYNC_URL";
    static final String SYNC_TOKEN = "PREVIEW_SYNC_TOKEN";

    private static final Logger LOG = LoggerFactory.getLogger(MachineEnvironment.class);

    private final ProvisionerSettings.Sync sync;

    MachineEnvironment(ProvisionerSettings.Sync sync) {
        this.sync = sync;
        if (sync.enabled()) {
            LOG.atInfo().addKeyValue("url", sync.url()).log("live edits on: machines sync their files from the session api");
        } else {
            LOG.atInfo().log("live edits off: velocity.provisioner.machines.sync.url and .secret are not set,"
                    + " machines keep the files they started with");
        }
    }

    /** The environment of {@code sessionId}'s machine. */
    Map<String, String> of(UUID sessionId) {
        if (!sync.enabled()) {
            return Map.of();
        }
        String base = sync.url().toString().replaceAll("/+$", "");
        return Map.of(
                SYNC_URL, base + "/machine/v1/sessions/" + sessionId + "/sync",
                SYNC_TOKEN, SessionSyncToken.of(sync.secret().value(), sessionId));
    }
}
