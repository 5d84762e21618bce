package dev.velocitypreview.provisioner;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.fly.FlyMachinesDriver;
import dev.velocitypreview.machines.local.LocalMachinesSettings;
import dev.velocitypreview.machines.local.LocalProcessDriver;

@Configuration(proxyBeanMethods = false)
class ProvisionerConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Production: previews as Fly Machines ({@code velocity.provisioner.machines.driver=fly}). */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "velocity.provisioner.machines.driver", havingValue = "fly")
    MachineDriver flyMachineDriver(ProvisionerSettings settings) {
        return new FlyMachinesDriver(settings.machines().fly().toDriverSettings());
    }

    /** The default: machines as child processes of this one. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(MachineDriver.class)
    MachineDriver localMachineDriver(ProvisionerSettings settings) {
        ProvisionerSettings.Local local = settings.machines().local();
        return new LocalProcessDriver(new LocalMachinesSettings(local.rootDir(), null, local.classpath(), null,
                settings.readyTimeout(), null, null, local.stopMachinesOnClose()));
    }
}
