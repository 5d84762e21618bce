package dev.velocitypreview.core.command;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionCommandCodecTest {

    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");
    private static final String GRANT = "\"ttl\":\"PT30M\",\"machine\":\"shared-cpu-1x:256MB\",\"idleTimeout\":\"PT10M\"";

    @Test
    void everyKindOfCommandSurvivesTheRoundTrip() {
        UUID session = UUID.randomUUID();
        for (SessionCommand command : new SessionCommand[] {
                SessionCommand.create(session, "user-1", UUID.randomUUID(), "react", Tier.PRO, Visibility.PRIVATE,
                        Duration.ofMinutes(20), new MachineSize("shared", 1, 1024), Duration.ofMinutes(30), NOW),
                SessionCommand.terminate(session, "user-1", TerminationReason.EXPIRED, NOW),
                SessionCommand.extend(session, "user-1", NOW.plus(Duration.ofHours(1)), NOW),
                SessionCommand.suspend(session, "user-1", NOW),
                SessionCommand.resume(session, "user-1", NOW),
                SessionCommand.reapMachine(session, "user-1", "machine-1", NOW),
                SessionCommand.reapMachine(session, null, "machine-1", NOW),
                SessionCommand.machineLost(session, "user-1", "machine-1", NOW),
                SessionCommand.purge(session, "user-1", NOW)}) {
            assertThat(SessionCommandCodec.decode(SessionCommandCodec.encode(command))).isEqualTo(command);
        }
    }

    @Test
    void aMachineCommandWithoutItsMachineIsRefused() {
        String lost = ("{\"commandId\":\"%s\",\"type\":\"MACHINE_LOST\",\"sessionId\":\"%s\",\"userId\":\"u\","
                + "\"issuedAt\":\"2026-11-24T03:00:00Z\"}").formatted(UUID.randomUUID(), UUID.randomUUID());

        assertThatThrownBy(() -> decode(lost)).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("machineId is required for MACHINE_LOST");
        assertThatThrownBy(() -> decode(lost.replace("MACHINE_LOST", "PURGE").replace("\"userId\"",
                "\"machineId\":\"m\",\"userId\""))).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("machineId is not a field of PURGE");
    }

    @Test
    void theTierGrantTravelsInTheCreateUnderItsFieldNames() {
        SessionCommand.Create create = SessionCommand.create(UUID.randomUUID(), "user-1", UUID.randomUUID(), "react", Tier.TEAM,
                Visibility.PUBLIC, Duration.ofHours(8), new MachineSize("performance", 2, 4096), Duration.ofMinutes(60),
                NOW);

        String json = new String(SessionCommandCodec.encode(create), StandardCharsets.UTF_8);

        assertThat(json).contains("\"type\":\"CREATE\"", "\"template\":\"react\"", "\"tier\":\"team\"", "\"visibility\":\"public\"",
                "\"ttl\":\"PT8H\"", "\"machine\":\"performance-cpu-2x:4096MB\"", "\"idleTimeout\":\"PT1H\"");
        assertThat(json).as("only a create's own fields").doesNotContain("reason", "expiresAt");
    }

    @Test
    void aCommandWrittenWithEveryFieldOfTheOldRecordIsStillRead() {
        UUID session = UUID.randomUUID();
        String terminate = ("{\"commandId\":\"%s\",\"type\":\"TERMINATE\",\"sessionId\":\"%s\",\"userId\":\"u\","
                + "\"projectId\":null,\"tier\":null,\"visibility\":null,\"ttl\":null,\"machine\":null,"
                + "\"idleTimeout\":null,\"reason\":\"user\",\"issuedAt\":\"2026-11-24T03:00:00Z\"}")
                .formatted(UUID.randomUUID(), session);

        assertThat(decode(terminate)).isInstanceOfSatisfying(SessionCommand.Terminate.class, read -> {
            assertThat(read.sessionId()).isEqualTo(session);
            assertThat(read.reason()).isEqualTo(TerminationReason.USER);
        });
    }

    @Test
    void aCreateWrittenBeforeTemplatesIsStillReadWithoutOne() {
        SessionCommand read = decode(createJson("\"projectId\":\"" + UUID.randomUUID() + "\",\"tier\":\"free\"," + GRANT));

        assertThat(((SessionCommand.Create) read).template()).isNull();
    }

    @Test
    void aCreateCarriesItsTemplateAndRefusesANameThatIsNotOne() {
        String project = "\"projectId\":\"" + UUID.randomUUID() + "\",\"tier\":\"free\"," + GRANT + ",";

        assertThat(((SessionCommand.Create) decode(createJson(project + "\"template\":\"react-native\""))).template())
                .isEqualTo("react-native");
        assertThatThrownBy(() -> decode(createJson(project + "\"template\":\"../React\"")))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("session command: template of CREATE must be a lower-case name such as react-native, got '../React'");
        assertThatThrownBy(() -> decode(createJson("\"reason\":\"user\",\"template\":\"react\"").replace("CREATE", "TERMINATE")))
                .hasMessageContaining("is not a field of TERMINATE");
    }

    @Test
    void aCreateWithoutVisibilityIsPublic() {
        SessionCommand read = decode(createJson("\"projectId\":\"" + UUID.randomUUID() + "\",\"tier\":\"free\"," + GRANT));

        assertThat(((SessionCommand.Create) read).visibility()).isEqualTo(Visibility.PUBLIC);
    }

    @Test
    void aCreateWithoutItsTierGrantIsRefusedNamingWhatIsMissing() {
        String project = "\"projectId\":\"" + UUID.randomUUID() + "\",\"tier\":\"free\",";

        assertThatThrownBy(() -> decode(createJson(project + "\"machine\":\"shared-cpu-1x:256MB\",\"idleTimeout\":\"PT10M\"")))
                .isInstanceOf(MalformedRecordException.class).hasMessage("session command: ttl is required for CREATE");
        assertThatThrownBy(() -> decode(createJson(project + "\"ttl\":\"PT30M\",\"idleTimeout\":\"PT10M\"")))
                .hasMessage("session command: machine is required for CREATE (the size the tier grants)");
        assertThatThrownBy(() -> decode(createJson(project + "\"ttl\":\"PT30M\",\"machine\":\"shared-cpu-1x:256MB\"")))
                .hasMessage("session command: idleTimeout is required for CREATE");
        assertThatThrownBy(() -> decode(createJson(project + GRANT.replace("PT10M", "PT0S"))))
                .hasMessage("session command: idleTimeout must be positive, got PT0S");
    }

    @Test
    void aMachineSizeFlyCannotAllocateIsRefusedByField() {
        String json = createJson("\"projectId\":\"" + UUID.randomUUID() + "\",\"tier\":\"free\","
                + GRANT.replace("shared-cpu-1x:256MB", "shared-cpu-1x:300MB"));
        assertThatThrownBy(() -> decode(json)).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("machine").hasMessageContaining("multiple of 256");
        assertThatThrownBy(() -> decode(json.replace("shared-cpu-1x:300MB", "huge")))
                .hasMessageContaining("machine size must look like shared-cpu-1x:256MB");
    }

    @Test
    void aFieldOfAnotherKindOfCommandIsRefusedByName() {
        String suspend = "{\"commandId\":\"%s\",\"type\":\"SUSPEND\",\"sessionId\":\"%s\",\"userId\":\"u\",\"reason\":\"idle\",\"issuedAt\":\"2026-11-24T03:00:00Z\"}"
                .formatted(UUID.randomUUID(), UUID.randomUUID());

        assertThatThrownBy(() -> decode(suspend)).isInstanceOf(MalformedRecordException.class)
                .hasMessage("session command: reason is not a field of SUSPEND");
    }

    @Test
    void anExtendMustMoveTheExpiryPastItsIssue() {
        String extend = "{\"commandId\":\"%s\",\"type\":\"EXTEND\",\"sessionId\":\"%s\",\"userId\":\"u\",\"expiresAt\":\"2026-11-24T02:00:00Z\",\"issuedAt\":\"2026-11-24T03:00:00Z\"}"
                .formatted(UUID.randomUUID(), UUID.randomUUID());

        assertThatThrownBy(() -> decode(extend)).hasMessageContaining("expiresAt of EXTEND must be after issuedAt");
        assertThatThrownBy(() -> decode(extend.replace(",\"expiresAt\":\"2026-11-24T02:00:00Z\"", "")))
                .hasMessage("session command: expiresAt is required for EXTEND");
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        assertThatThrownBy(() -> decode("{\"commandId\":\"" + UUID.randomUUID() + "\",\"surprise\":1}"))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("session command: unknown field 'surprise'");
    }

    @Test
    void anUnknownOrMissingCommandTypeIsRefused() {
        String json = "{\"commandId\":\"%s\",\"type\":\"EXPLODE\",\"sessionId\":\"%s\",\"userId\":\"u\",\"issuedAt\":\"2026-11-24T03:00:00Z\"}"
                .formatted(UUID.randomUUID(), UUID.randomUUID());
        assertThatThrownBy(() -> decode(json))
                .hasMessage("session command: type: unknown command type, expected one of CREATE, TERMINATE, EXTEND, SUSPEND, RESUME, REAP_MACHINE, MACHINE_LOST, PURGE");
        assertThatThrownBy(() -> decode(json.replace("\"type\":\"EXPLODE\",", "")))
                .hasMessage("session command: type is required, one of CREATE, TERMINATE, EXTEND, SUSPEND, RESUME, REAP_MACHINE, MACHINE_LOST, PURGE");
    }

    @Test
    void aCreateWithoutProjectIsRefused() {
        assertThatThrownBy(() -> decode(createJson("\"tier\":\"free\"," + GRANT)))
                .hasMessage("session command: projectId is required for CREATE");
    }

    @Test
    void aTerminateWithoutAKnownReasonIsRefused() {
        String json = "{\"commandId\":\"%s\",\"type\":\"TERMINATE\",\"sessionId\":\"%s\",\"userId\":\"u\",\"reason\":\"bored\",\"issuedAt\":\"2026-11-24T03:00:00Z\"}"
                .formatted(UUID.randomUUID(), UUID.randomUUID());

        assertThatThrownBy(() -> decode(json)).hasMessageContaining("reason for TERMINATE must be one of")
                .hasMessageContaining("'bored'");
    }

    @Test
    void garbageIsRefusedAsNotJson() {
        assertThatThrownBy(() -> SessionCommandCodec.decode(new byte[] {(byte) 0xff, 0x00, 0x13}))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageStartingWith("session command: not valid JSON");
    }

    @Test
    void aNonUuidSessionIdIsRefusedWithoutEchoingItWhole() {
        String json = "{\"commandId\":\"%s\",\"type\":\"CREATE\",\"sessionId\":\"%s\",\"userId\":\"u\",\"issuedAt\":\"2026-11-24T03:00:00Z\"}"
                .formatted(UUID.randomUUID(), "x".repeat(500));
        assertThatThrownBy(() -> decode(json)).hasMessageContaining("sessionId must be a UUID").hasMessageContaining("…");
    }

    private static String createJson(String fields) {
        return "{\"commandId\":\"%s\",\"type\":\"CREATE\",\"sessionId\":\"%s\",\"userId\":\"u\",%s,\"issuedAt\":\"2026-11-24T03:00:00Z\"}"
                .formatted(UUID.randomUUID(), UUID.randomUUID(), fields);
    }

    private static SessionCommand decode(String json) {
        return SessionCommandCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }
}
