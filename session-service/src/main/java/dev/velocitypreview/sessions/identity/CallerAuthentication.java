package dev.velocitypreview.sessions.identity;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A verified caller; keeps no credentials, so the token cannot leak from the security context. */
final class CallerAuthentication extends AbstractAuthenticationToken {

    /** Granted to callers with the configured admin role. */
    static final String ADMIN_AUTHORITY = "ROLE_ADMIN";

    private final Caller caller;

    CallerAuthentication(Caller caller) {
        super(caller.admin() ? List.of(new SimpleGrantedAuthority(ADMIN_AUTHORITY)) : List.of());
        this.caller = caller;
        setAuthenticated(true);
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public String getName() {
        return caller.userId();
    }
}
