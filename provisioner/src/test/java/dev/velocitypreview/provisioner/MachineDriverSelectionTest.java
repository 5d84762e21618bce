package dev.velocitypreview.provisioner;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.fly.FlyMachinesDriver;
import dev.velocitypreview.machines.local.LocalProcessDriver;

import static org.assertj.core.api.Assertions.assertThat;

/** Switching where previews run is configuration, not code. */
class MachineDriverSelectionTest {

    @EnableConfigurationProperties(ProvisionerSettings.class)
    static class Settings {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class, ProvisionerConfiguration.class)
            .withPropertyValues("velocity.provisioner.machines.local.root-dir=target/selection-machines");

    @Test
    void localProcessesAreTheDefault() {
        context.run(started -> assertThat(started.getBean(MachineDriver.class)).isInstanceOf(LocalProcessDriver.class));
    }

    @Test
    void flyIsChosenByConfiguration() {
        context.withPropertyValues(
                        "velocity.provisioner.machines.driver=fly",
                        "velocity.provisioner.machines.fly.token=fly-token-for-tests",
                        "velocity.provisioner.machines.fly.app=velocity-previews",
                        "velocity.provisioner.machines.fly.image=registry.fly.io/velocity-previews:v1",
                        "velocity.provisioner.machines.fly.regions=ams,fra")
                .run(started -> assertThat(started.getBean(MachineDriver.class)).isInstanceOf(FlyMachinesDriver.class));
    }

    @Test
    void theMachineUrlReachesTheFlyDriverAndDefaultsToFlysPrivateDnsName() {
        ProvisionerSettings.Fly reachedOtherwise = new ProvisionerSettings.Fly(null, new Secret("fly-token-for-tests"), "velocity-previews",
                "registry.fly.io/velocity-previews:v1", java.util.List.of("ams"), "http://{machine}.flycast:{port}", null);
        ProvisionerSettings.Fly byDefault = new ProvisionerSettings.Fly(null, new Secret("fly-token-for-tests"), "velocity-previews",
                "registry.fly.io/velocity-previews:v1", java.util.List.of("ams"), null, null);

        assertThat(reachedOtherwise.toDriverSettings().runtime().healthUrlTemplate()).isEqualTo("http://{machine}.flycast:{port}");
        assertThat(byDefault.toDriverSettings().runtime().healthUrlTemplate()).isEqualTo("http://{machine}.vm.{app}.internal:{port}");
    }

    @Test
    void flyWithoutItsSettingsFailsNamingWhatIsMissing() {
        context.withPropertyValues("velocity.provisioner.machines.driver=fly")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("machines.fly.* is not set"));
    }
}
