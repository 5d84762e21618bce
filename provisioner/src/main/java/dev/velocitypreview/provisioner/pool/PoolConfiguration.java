package dev.velocitypreview.provisioner.pool;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.provisioning.MachineEnvironment;
import dev.velocitypreview.templates.TemplateCatalog;
import io.micrometer.core.instrument.MeterRegistry;

@Configuration(proxyBeanMethods = false)
class PoolConfiguration {

    @Bean
    TemplateCatalog templateCatalog() {
        return TemplateCatalog.builtIn();
    }

    @Bean
    MachinePool machinePool(NamedParameterJdbcTemplate jdbc) {
        return new MachinePool(jdbc);
    }

    @Bean
    WarmPools warmPools(ProvisionerSettings settings, TemplateCatalog templates, MachinePool places, MeterRegistry meters) {
        return new WarmPools(settings.pool(), templates, places, meters);
    }

    @Bean
    PoolKeeper poolKeeper(WarmPools pools, MachinePool places, MachineDriver driver, ProvisionerSettings settings,
                          MachineEnvironment environment, PlatformTransactionManager transactions, Clock clock,
                          MeterRegistry meters) {
        return new PoolKeeper(pools, places, driver, settings.pool(), environment.pooled(),
                new TransactionTemplate(transactions), clock, meters);
    }
}
