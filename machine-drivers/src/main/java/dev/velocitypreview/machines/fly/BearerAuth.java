package dev.velocitypreview.machines.fly;

import java.io.IOException;

import dev.velocitypreview.core.config.Secret;

import okhttp3.Interceptor;
import okhttp3.Response;

/** Adds the API token to every request; the token never reaches a log line. */
final class BearerAuth implements Interceptor {

    /** Fly's macaroon tokens carry their own scheme ({@code FlyV1 ...}); anything else is a bearer token. */
    private static final String MACAROON_SCHEME = "FlyV1 ";

    private final Secret authorization;

    BearerAuth(Secret token) {
        this.authorization = token.value().startsWith(MACAROON_SCHEME) ? token : new Secret("Bearer " + token.value());
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        return chain.proceed(chain.request().newBuilder()
                .header("Authorization", authorization.value())
                .header("User-Agent", "velocity-preview-fly-driver")
                .build());
    }
}
