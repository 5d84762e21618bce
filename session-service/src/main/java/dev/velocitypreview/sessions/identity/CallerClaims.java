package dev.velocitypreview.sessions.identity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.UserId;
import dev.velocitypreview.sessions.SessionServiceProperties;

/**
 * Reads the caller out of a verified token. As a validator it refuses, at decoding time (so the
 * answer is a 401 and never a 500), every token the conversion could not turn into a
 * {@link Caller}; the conversion itself then cannot fail.
 */
final class CallerClaims implements OAuth2TokenValidator<Jwt>, Converter<Jwt, AbstractAuthenticationToken> {

    private final String rolesClaim;
    private final String tierClaim;
    private final String adminRole;
    private final String metricsRole;

    CallerClaims(SessionServiceProperties.Auth auth) {
        this.rolesClaim = auth.rolesClaim();
        this.tierClaim = auth.tierClaim();
        this.adminRole = auth.adminRole();
        this.metricsRole = auth.metricsRole();
    }

    @Override
    public OAuth2TokenValidatorResult validate(Jwt jwt) {
        List<OAuth2Error> errors = new ArrayList<>();
        if (jwt.getExpiresAt() == null) {
            errors.add(invalid("the token must expire (it has no exp claim)"));
        }
        if (!UserId.isValid(jwt.getSubject())) {
            errors.add(invalid("the sub claim must be a user id: 1-128 characters of A-Z a-z 0-9 . _ : @ | + -"));
        }
        try {
            roles(jwt);
        } catch (IllegalArgumentException e) {
            errors.add(invalid("the " + rolesClaim + " claim must be an array of strings or a space-separated string"));
        }
        try {
            tier(jwt);
        } catch (IllegalArgumentException e) {
            errors.add(invalid("the " + tierClaim + " claim must be one of "
                    + Arrays.stream(Tier.values()).map(Tier::wireName).collect(Collectors.joining(", "))));
        }
        return errors.isEmpty() ? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult.failure(errors);
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        Set<String> roles = roles(jwt);
        return new CallerAuthentication(new Caller(jwt.getSubject(), tier(jwt), roles.contains(adminRole)),
                roles.contains(metricsRole));
    }

    private Set<String> roles(Jwt jwt) {
        Object value = claim(jwt, rolesClaim);
        if (value == null) {
            return Set.of();
        }
        if (value instanceof String text) {
            return Arrays.stream(text.trim().split("\\s+")).filter(role -> !role.isEmpty()).collect(Collectors.toSet());
        }
        if (value instanceof Collection<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).collect(Collectors.toSet());
        }
        throw new IllegalArgumentException("roles claim of type " + value.getClass().getSimpleName());
    }

    private Tier tier(Jwt jwt) {
        Object value = claim(jwt, tierClaim);
        if (value == null) {
            return Tier.FREE;
        }
        if (value instanceof String text) {
            return Tier.fromWire(text);
        }
        throw new IllegalArgumentException("tier claim of type " + value.getClass().getSimpleName());
    }

    /**
     * The claim named {@code name}; when the token has no such top-level claim, the dotted path
     * into nested objects ({@code app_metadata.roles}), since identity providers such as Supabase
     * keep custom claims there. Namespaced names with dots (Auth0's URLs) still work whole.
     */
    static @Nullable Object claim(Jwt jwt, String name) {
        Map<String, Object> claims = jwt.getClaims();
        if (claims.containsKey(name)) {
            return claims.get(name);
        }
        Object current = claims;
        for (String step : name.split("\\.")) {
            if (!(current instanceof Map<?, ?> object)) {
                return null;
            }
            current = object.get(step);
        }
        return current;
    }

    private static OAuth2Error invalid(String description) {
        return new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null);
    }
}
