package dev.velocitypreview.sessions.identity;

import java.util.ArrayList;
import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A verified caller; keeps no credentials, so the token cannot leak from the security context. */
final class CallerAuthentication extends AbstractAuthenticationToken {

    /** Granted to callers with the configured admin role. */
    static final String ADMIN_AUTHORITY = "ROLE_ADMIN";
    /** Granted to callers with the configured metrics role: a scraper's token, which opens {@code /actuator/prometheus} alone. */
    static final String METRICS_AUTHORITY = "ROLE_METRICS";

    private final Caller caller;

    CallerAuthentication(Caller caller, boolean scraper) {
        super(authorities(caller, scraper));
        this.caller = caller;
        setAuthenticated(true);
    }

    private static List<SimpleGrantedAuthority> authorities(Caller caller, boolean scraper) {
        List<SimpleGrantedAuthority> granted = new ArrayList<>();
        if (caller.admin()) {
            granted.add(new SimpleGrantedAuthority(ADMIN_AUTHORITY));
        }
        if (scraper) {
            granted.add(new SimpleGrantedAuthority(METRICS_AUTHORITY));
        }
        return granted;
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
