package dev.velocitypreview.provisioner;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.velocitypreview.core.config.Secret;

import static org.assertj.core.api.Assertions.assertThat;

class ProvisionerSettingsTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class);

    @Test
    void defaultsAreValid() {
        context.run(started -> {
            ProvisionerSettings settings = started.getBean(ProvisionerSettings.class);
            assertThat(settings.retry().maxAttempts()).isEqualTo(5);
            assertThat(settings.retry().backoff().step(1)).hasMillis(200);
        });
    }

    @Test
    void brokenSettingsStopTheStartNamingTheSettingAndItsCondition() {
        assertRefused("velocity.provisioner.ready-timeout=0s", "readyTimeout", "must be a positive duration");
        assertRefused("velocity.provisioner.kafka.group-id= ", "kafka.groupId", "must not be blank");
        assertRefused("velocity.provisioner.concurrency.workers=0", "concurrency.workers", "must be greater than or equal to 1");
        assertRefused("velocity.provisioner.retry.initial-delay=-1s", "retry.initialDelay", "must be a positive duration");
    }

    /** As Spring Boot's startup failure report says it: the setting under velocity.provisioner, and the condition. */
    private void assertRefused(String setting, String field, String condition) {
        context.withPropertyValues(setting).run(started -> assertThat(started).hasFailed().getFailure()
                .rootCause().isInstanceOf(BindValidationException.class)
                .hasMessageContaining("in object 'velocity.provisioner' on field '" + field + "'")
                .hasMessageContaining("default message [" + condition + "]"));
    }

    @Test
    void aRetryCapBelowItsFirstWaitIsRefused() {
        context.withPropertyValues("velocity.provisioner.retry.initial-delay=5s", "velocity.provisioner.retry.max-delay=1s")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("retry.max-delay must be >= retry.initial-delay"));
    }

    @Test
    void theFlyTokenBindsFromPlainTextAndIsNeverPrinted() {
        context.withPropertyValues(
                        "velocity.provisioner.machines.driver=fly",
                        "velocity.provisioner.machines.fly.token=fo1_secret-token",
                        "velocity.provisioner.machines.fly.app=velocity-previews",
                        "velocity.provisioner.machines.fly.image=registry.fly.io/velocity-previews:v1",
                        "velocity.provisioner.machines.fly.regions=ams")
                .run(started -> {
                    ProvisionerSettings settings = started.getBean(ProvisionerSettings.class);
                    assertThat(settings.machines().fly().token()).isEqualTo(new Secret("fo1_secret-token"));
                    assertThat(settings.toString()).doesNotContain("fo1_secret-token");
                    assertThat(settings.machines().fly().toDriverSettings().toString()).doesNotContain("fo1_secret-token");
                });
    }

    @Test
    void liveEditsAreOffUntilBothSyncSettingsAreSet() {
        context.run(started -> assertThat(started.getBean(ProvisionerSettings.class).machines().sync().enabled()).isFalse());
        context.withPropertyValues("velocity.provisioner.machines.sync.url=http://velocity-api.internal:8080",
                        "velocity.provisioner.machines.sync.secret=s3cr3t-sync")
                .run(started -> {
                    ProvisionerSettings settings = started.getBean(ProvisionerSettings.class);
                    assertThat(settings.machines().sync().enabled()).isTrue();
                    assertThat(settings.toString()).doesNotContain("s3cr3t-sync");
                });
    }

    @Test
    void aSyncUrlWithoutItsSecretIsRefused() {
        context.withPropertyValues("velocity.provisioner.machines.sync.url=http://velocity-api.internal:8080")
                .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("machines.sync.url and machines.sync.secret go together"));
    }

    @EnableConfigurationProperties(ProvisionerSettings.class)
    static class Settings {
    }
}
