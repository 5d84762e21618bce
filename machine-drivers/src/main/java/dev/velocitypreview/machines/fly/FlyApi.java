package dev.velocitypreview.machines.fly;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One HTTP exchange with the Machines API at a time: builds requests under
 * {@code /v1/apps/{app}/machines}, sends them through the auth and log interceptors, and reads the
 * whole reply. Retries, rate limits and meaning live in {@link FlyMachinesDriver}.
 *
 * <p>Thread-safe.
 */
final class FlyApi implements AutoCloseable {

    static final String RETRY_AFTER_HEADER = "Retry-After";

    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    /** Fly's wire format: snake_case names, absent instead of null, unknown fields ignored. */
    static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final HttpUrl machines;
    private final OkHttpClient client;
    /** For {@code /wait}: Fly holds those for up to the wait slice before it answers. */
    private final OkHttpClient waitClient;

    FlyApi(FlyMachinesSettings settings) {
        HttpUrl base = HttpUrl.get(settings.baseUrl().toString());
        this.machines = base.newBuilder().addPathSegment("v1").addPathSegment("apps")
                .addPathSegment(settings.app()).addPathSegment("machines").build();
        FlyMachinesSettings.Timeouts timeouts = settings.timeouts();
        this.client = new OkHttpClient.Builder()
                .connectTimeout(timeouts.connect())
                .readTimeout(timeouts.call())
                .writeTimeout(timeouts.call())
                .callTimeout(timeouts.call())
                .followRedirects(false)
                .retryOnConnectionFailure(false)
                .addInterceptor(new CallLog())
                .addInterceptor(new BearerAuth(settings.token()))
                .build();
        Duration waitCall = timeouts.call().plus(timeouts.waitSlice());
        this.waitClient = client.newBuilder().readTimeout(waitCall).callTimeout(waitCall).build();
    }

    /** {@code /v1/apps/{app}/machines}, to add segments and query parameters to. */
    HttpUrl.Builder machinesUrl() {
        return machines.newBuilder();
    }

    HttpUrl machineUrl(String machineId, String... more) {
        HttpUrl.Builder url = machines.newBuilder().addPathSegment(machineId);
        for (String segment : more) {
            url.addPathSegment(segment);
        }
        return url.build();
    }

    Request get(HttpUrl url, CallTag tag) {
        return new Request.Builder().url(url).get().tag(CallTag.class, tag).build();
    }

    Request post(HttpUrl url, @Nullable Object body, CallTag tag) {
        String json = body == null ? "" : JSON.writeValueAsString(body);
        return new Request.Builder().url(url).post(RequestBody.create(json, JSON_TYPE)).tag(CallTag.class, tag).build();
    }

    Request delete(HttpUrl url, CallTag tag) {
        return new Request.Builder().url(url).delete().tag(CallTag.class, tag).build();
    }

    /**
     * Sends {@code request} once and reads the whole reply.
     *
     * @throws IOException when no complete reply arrived in time (connection trouble, timeout)
     */
    FlyReply exchange(Request request) throws IOException {
        CallTag tag = request.tag(CallTag.class);
        OkHttpClient http = tag != null && tag.action() == FlyAction.WAIT ? waitClient : client;
        try (Response response = http.newCall(request).execute()) {
            ResponseBody body = response.body();
            return new FlyReply(response.code(), body.string(), response.header(CallLog.REQUEST_ID_HEADER),
                    response.header(RETRY_AFTER_HEADER));
        }
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    /** For log lines and messages: the machine and session a call was about. */
    static CallTag tag(FlyAction action, @Nullable UUID session, @Nullable String machine) {
        return new CallTag(action, session, machine);
    }
}
