package dev.velocitypreview.sessions.identity;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.web.util.WebUtils;

import dev.velocitypreview.boot.problem.ProblemCounter;
import dev.velocitypreview.sessions.SessionServiceProperties;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.Cookie;

/**
 * The operator console ({@code /console/**}): admin only, like {@code /v1/admin/**}, with the same token checks,
 * but read from the {@link ConsoleCookie} a browser holds (or an {@code Authorization} header, for scripts).
 * {@code /console/sign-in?token=} takes the token from its query once, so that the controller can put it in the
 * cookie. Its own refusals: a sign-in page for the pages, problem+json for the data. The script and style sheet
 * are open (they hold no data), so the sign-in page can use them.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleSecurityConfiguration {

    static final String SIGN_IN = "/console/sign-in";
    /** Nothing but this service's own script, style and data; no frames, no third-party requests. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 1)
    SecurityFilterChain console(HttpSecurity http, JwtDecoder decoder, CallerClaims claims, ProblemCounter rejected,
                                SessionServiceProperties properties) {
        ConsoleRefusals refusals = new ConsoleRefusals(rejected, properties.auth().adminRole());
        return http
                .securityMatcher("/console", "/console/**")
                // every console endpoint only reads; the one cookie is SameSite=Strict
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        // the sign-in URL carries a token: never pass it on as a referrer
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER)))
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/console/assets/**").permitAll()
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .anyRequest().hasAuthority(CallerAuthentication.ADMIN_AUTHORITY))
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .bearerTokenResolver(tokens())
                        .jwt(jwt -> jwt.decoder(decoder).jwtAuthenticationConverter(claims))
                        .authenticationEntryPoint(refusals)
                        .accessDeniedHandler(refusals))
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))
                .build();
    }

    /** The sign-in's query parameter there, elsewhere the cookie, else the header. */
    private static BearerTokenResolver tokens() {
        DefaultBearerTokenResolver header = new DefaultBearerTokenResolver();
        return request -> {
            if (SIGN_IN.equals(request.getRequestURI())) {
                String token = request.getParameter("token");
                return token == null || token.isBlank() ? null : token.strip();
            }
            Cookie cookie = WebUtils.getCookie(request, ConsoleCookie.NAME);
            if (cookie != null && !cookie.getValue().isEmpty()) {
                return cookie.getValue();
            }
            return header.resolve(request);
        };
    }
}
