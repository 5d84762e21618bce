package dev.velocitypreview.router.routing;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.access.PreviewToken;

/**
 * What the preview tokens a request presents let it do with one session.
 *
 * @param token     the valid token presented in the query, to be set as the cookie; only for {@link Verdict#EXCHANGE}
 * @param expiresAt when that token expires, the cookie's lifetime; only for {@link Verdict#EXCHANGE}
 * @param refusal   why the presented token does not open the session; only for {@link Verdict#INVALID}
 */
record Access(Verdict verdict, @Nullable String token, @Nullable Instant expiresAt, PreviewToken.@Nullable Check refusal) {

    static final Access PUBLIC = new Access(Verdict.PUBLIC, null, null, null);
    static final Access ADMITTED = new Access(Verdict.ADMITTED, null, null, null);
    static final Access MISSING = new Access(Verdict.MISSING, null, null, null);
    static final Access EXPIRED = new Access(Verdict.EXPIRED, null, null, null);
    static final Access NOT_CONFIGURED = new Access(Verdict.NOT_CONFIGURED, null, null, null);

    enum Verdict {
        /** The session is public: its unguessable URL is all it takes. */
        PUBLIC,
        /** A private session and a valid token (a cookie, or the query of a request that cannot be redirected). */
        ADMITTED,
        /** A private session and a valid token in the query of a page request: redirect, setting the cookie. */
        EXCHANGE,
        /** A private session and no token: 401. */
        MISSING,
        /** A private session and only tokens that have expired: 401. */
        EXPIRED,
        /** A private session and a token that does not open it (malformed, forged, another session's): 401. */
        INVALID,
        /** A private session and a router without a preview token secret, which never serves it unprotected: 503. */
        NOT_CONFIGURED
    }

    Access {
        Objects.requireNonNull(verdict, "verdict == null");
        if ((verdict == Verdict.EXCHANGE) != (token != null && expiresAt != null)) {
            throw new IllegalArgumentException("a token and its expiry come with an EXCHANGE and nothing else, got " + verdict);
        }
        if ((verdict == Verdict.INVALID) != (refusal != null)) {
            throw new IllegalArgumentException("a refusal comes with INVALID and nothing else, got " + verdict);
        }
    }

    static Access exchange(String token, Instant expiresAt) {
        return new Access(Verdict.EXCHANGE, token, expiresAt, null);
    }

    static Access invalid(PreviewToken.Check refusal) {
        return new Access(Verdict.INVALID, null, null, refusal);
    }

    /** True when the request goes on to the session's status (hold, route, gone, ...). */
    boolean admits() {
        return verdict == Verdict.PUBLIC || verdict == Verdict.ADMITTED;
    }

    /** The token is a capability: it never appears in logs or messages. */
    @Override
    public String toString() {
        return "Access[" + verdict + (refusal == null ? "" : " " + refusal) + (expiresAt == null ? "" : " until " + expiresAt) + "]";
    }
}
