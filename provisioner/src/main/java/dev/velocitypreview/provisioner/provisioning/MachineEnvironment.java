package dev.velocitypreview.provisioner.provisioning;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.access.SessionSyncToken;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.provisioner.ProvisionerSettings;

/**
 * The environment the provisioner gives each machine's runtime, whichever driver runs it (drivers add their own
 * wiring beside it): where it syncs its session's live edits ({@value #SYNC_URL}) and the token that lets it sync that
 * session alone ({@value #SYNC_TOKEN}, never the secret the token is derived from), and the domain its preview is
 * served under ({@value #PREVIEW_DOMAIN}, when configured). Without
 * {@code velocity.provisioner.machines.sync.*} a machine gets neither and keeps the files it started with.
 */
public final class MachineEnvironment {

    static final String SYNC_URL = "PREVIEW_SYNC_URL";
    static final String SYNC_TOKEN = "PREVIEW_SYNC_TOKEN";
    static final String PREVIEW_DOMAIN = "PREVIEW_DOMAIN";

    private static final Logger LOG = LoggerFactory.getLogger(MachineEnvironment.class);

    private final ProvisionerSettings.Sync sync;
    private final String previewDomain;

    /** @param previewDomain where previews are served ({@value #PREVIEW_DOMAIN}), or null for the local default */
    public MachineEnvironment(ProvisionerSettings.Sync sync, String previewDomain) {
        this.sync = sync;
        this.previewDomain = previewDomain == null || previewDomain.isBlank() ? null : previewDomain.strip();
        if (sync.enabled()) {
            LOG.atInfo().addKeyValue("url", sync.url()).log("live edits on: machines sync their files from the session api");
        } else {
            LOG.atInfo().log("live edits off: velocity.provisioner.machines.sync.url and .secret are not set,"
                    + " machines keep the files they started with");
        }
    }

    /** The environment of {@code sessionId}'s machine. */
    Map<String, String> of(UUID sessionId) {
        Map<String, String> env = new HashMap<>(pooled());
        if (sync.enabled()) {
            env.put(SYNC_URL, syncUrl(sessionId).toString());
            env.put(SYNC_TOKEN, SessionSyncToken.of(sync.secret().value(), sessionId));
        }
        return Map.copyOf(env);
    }

    /** The environment of a pooled machine: what is the same for every session (no session has claimed it yet). */
    public Map<String, String> pooled() {
        return previewDomain == null ? Map.of() : Map.of(PREVIEW_DOMAIN, previewDomain);
    }

    /**
     * The claim that hands a pooled machine to {@code sessionId}: the live-edit wiring its environment would have
     * had as a fresh machine, and the files a claim writes.
     */
    MachineClaim claim(UUID sessionId, UUID projectId, SyncResponse files) {
        return sync.enabled()
                ? new MachineClaim(sessionId, projectId, files, syncUrl(sessionId),
                        SessionSyncToken.of(sync.secret().value(), sessionId), null)
                : new MachineClaim(sessionId, projectId, files, null, null, null);
    }

    private URI syncUrl(UUID sessionId) {
        return URI.create(sync.url().toString().replaceAll("/+$", "") + "/machine/v1/sessions/" + sessionId + "/sync");
    }
}
