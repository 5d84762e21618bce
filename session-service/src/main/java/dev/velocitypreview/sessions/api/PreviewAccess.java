package dev.velocitypreview.sessions.api;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.sessions.SessionServiceProperties;

/**
 * Hands owners of private sessions a short-lived preview token, which the routers check with the
 * same secret and no database. Public sessions need none.
 */
@Component
class PreviewAccess {

    private final @Nullable PreviewToken tokens;
    private final Duration ttl;
    private final Visibility defaultVisibility;
    private final Clock clock;

    PreviewAccess(SessionServiceProperties properties, Clock clock) {
        this.tokens = properties.previewTokenSecret() == null ? null : new PreviewToken(properties.previewTokenSecret().value());
        this.ttl = properties.previewTokenTtl();
        this.defaultVisibility = properties.defaultVisibility();
        this.clock = clock;
    }

    /** The visibility a request gets; @throws ApiProblem 422 when private previews are not set up here. */
    Visibility visibilityFor(@Nullable Visibility requested) {
        Visibility visibility = requested == null ? defaultVisibility : requested;
        if (visibility == Visibility.PRIVATE && tokens == null) {
            throw ApiProblem.unprocessable("private_previews_disabled", "private previews are not enabled on this "
                    + "service (no preview-token-secret is configured); ask for \"visibility\": \"public\"")
                    .field(CreateSessionRequest.VISIBILITY);
        }
        return visibility;
    }

    /** A fresh token for a private session that has not ended; null otherwise. */
    @Nullable String tokenFor(SessionView view) {
        return view.status().isTerminal() ? null : tokenFor(view.id(), SessionResponses.visibilityOf(view));
    }

    @Nullable String tokenFor(UUID sessionId, Visibility visibility) {
        if (visibility != Visibility.PRIVATE || tokens == null) {
            return null;
        }
        return tokens.mint(sessionId, clock.instant(), ttl);
    }
}
