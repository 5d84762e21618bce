package dev.velocitypreview.provisioner.provisioning;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.commands.CommandHandler;
import dev.velocitypreview.provisioner.pool.WarmPools;
import dev.velocitypreview.templates.TemplateCatalog;
import io.micrometer.core.instrument.MeterRegistry;

@Configuration(proxyBeanMethods = false)
class ProvisioningConfiguration {

    @Bean
    SessionRows sessionRows(NamedParameterJdbcTemplate jdbc) {
        return new SessionRows(jdbc);
    }

    @Bean
    MachineEnvironment machineEnvironment(ProvisionerSettings settings) {
        return new MachineEnvironment(settings.machines().sync(), settings.machines().previewDomain());
    }

    @Bean
    CommandHandler sessionProvisioner(SessionRows sessions, NamedParameterJdbcTemplate jdbc,
                                      PlatformTransactionManager transactions, MachineDriver driver,
                                      MachineEnvironment environment, WarmPools pools, TemplateCatalog templates,
                                      ProvisionerSettings settings, Clock clock, MeterRegistry meters) {
        return new SessionProvisioner(sessions, new Projects(jdbc, templates), new TransactionTemplate(transactions),
                driver, environment, pools, settings, clock, meters);
    }

    @Bean
    StartupRecovery startupRecovery(SessionRows sessions, MachineDriver driver, ProvisionerSettings settings,
                                    Clock clock) {
        return new StartupRecovery(sessions, driver, settings.readyTimeout(), clock);
    }
}
