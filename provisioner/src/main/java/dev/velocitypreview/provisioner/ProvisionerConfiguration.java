package dev.velocitypreview.provisioner;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.local.LocalMachinesSettings;
import dev.velocitypreview.machines.local.LocalProcessDriver;

@Configuration(proxyBeanMethods = false)
class ProvisionerConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
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
