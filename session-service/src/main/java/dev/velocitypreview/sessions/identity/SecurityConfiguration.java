package dev.velocitypreview.sessions.identity;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import javax.crypto.spec.SecretKeySpec;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;

import dev.velocitypreview.boot.problem.ProblemCounter;
import dev.velocitypreview.sessions.SessionServiceProperties;
import jakarta.servlet.DispatcherType;

/**
 * Every endpoint needs a verified bearer token except the health probes and the OpenAPI document
 * ({@code GET /v3/api-docs}); {@code /v1/admin/**} and
 * the rest of the actuator need the admin role, except {@code /actuator/prometheus}, which the metrics role
 * (a scraper's token) opens too; {@code /machine/**} has a chain of its own. Stateless: no cookies, no sessions, no
 * CSRF.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class SecurityConfiguration {

    @Bean
    CallerClaims callerClaims(SessionServiceProperties properties) {
        return new CallerClaims(properties.auth());
    }

    @Bean
    JwtDecoder jwtDecoder(SessionServiceProperties properties, CallerClaims claims, Clock clock) {
        return decoder(properties.auth(), claims, clock);
    }

    @Bean
    BearerTokenProblems bearerTokenProblems(ProblemCounter rejected, SessionServiceProperties properties) {
        return new BearerTokenProblems(rejected, properties.auth().adminRole());
    }

    /**
     * The preview machines' sync ({@code /machine/**}): its credential is the session's sync token, which the
     * endpoint checks itself (it needs the session id from the path and answers every failure alike), so no user JWT
     * is asked for here and no bearer token is decoded as one.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityFilterChain machines(HttpSecurity http, BearerTokenProblems problems) {
        return http
                .securityMatcher("/machine/**")
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .build();
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, JwtDecoder decoder, CallerClaims claims, BearerTokenProblems problems) {
        return http
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        // the OpenAPI document is public documentation; nothing below it is opened
                        .requestMatchers(HttpMethod.GET, "/v3/api-docs").permitAll()
                        // an error dispatch renders an answer for a request that was already authorized
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        // a scraper's token (the metrics role) opens the Prometheus scrape and nothing else
                        .requestMatchers("/actuator/prometheus").hasAnyAuthority(CallerAuthentication.ADMIN_AUTHORITY,
                                CallerAuthentication.METRICS_AUTHORITY)
                        .requestMatchers("/v1/admin/**", "/actuator/**").hasAuthority(CallerAuthentication.ADMIN_AUTHORITY)
                        .anyRequest().authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> jwt.decoder(decoder).jwtAuthenticationConverter(claims))
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems)
                        .withObjectPostProcessor(new ObjectPostProcessor<BearerTokenAuthenticationFilter>() {
                            @Override
                            public <O extends BearerTokenAuthenticationFilter> O postProcess(O filter) {
                                // by default a failure to fetch keys escapes as a 500
                                filter.setAuthenticationFailureHandler(problems);
                                return filter;
                            }
                        }))
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .build();
    }

    static JwtDecoder decoder(SessionServiceProperties.Auth auth, CallerClaims claims, Clock clock) {
        NimbusJwtDecoder decoder;
        if (auth.hs256Secret() != null) {
            decoder = NimbusJwtDecoder
                    .withSecretKey(new SecretKeySpec(auth.hs256Secret().value().getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
                    .macAlgorithm(MacAlgorithm.HS256)
                    .build();
        } else {
            decoder = NimbusJwtDecoder.withJwkSetUri(String.valueOf(auth.jwksUri()))
                    .jwsAlgorithms(algorithms -> algorithms.addAll(auth.jwsAlgorithms()))
                    .build();
        }
        JwtTimestampValidator timestamps = new JwtTimestampValidator(auth.clockSkew());
        timestamps.setClock(clock);
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(timestamps);
        if (auth.issuer() != null) {
            validators.add(new JwtIssuerValidator(auth.issuer()));
        }
        if (auth.audience() != null) {
            validators.add(new JwtAudienceValidator(auth.audience()));
        }
        validators.add(claims);
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
        return decoder;
    }
}
