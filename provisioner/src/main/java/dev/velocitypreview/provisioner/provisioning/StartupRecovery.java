package dev.velocitypreview.provisioner.provisioning;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineState;

/**
 * After a restart of the whole platform (the launcher), machines of sessions that should be running
 * may have stopped with it: start them again and record their new address. Runs before any command
 * is consumed, so it never races a command for the same session.
 */
final class StartupRecovery implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(StartupRecovery.class);

    private final SessionRows sessions;
    private final MachineDriver driver;
    private final Duration readyTimeout;
    private final Clock clock;
    private volatile boolean running;

    StartupRecovery(SessionRows sessions, MachineDriver driver, Duration readyTimeout, Clock clock) {
        this.sessions = sessions;
        this.driver = driver;
        this.readyTimeout = readyTimeout;
        this.clock = clock;
    }

    @Override
    public void start() {
        running = true;
        // start every stopped machine first, then wait for them together: recovery takes one ready timeout, not N
        Map<SessionRow, Machine> started = new LinkedHashMap<>();
        for (SessionRow row : sessions.withStatus(SessionStatus.STARTING, SessionStatus.ACTIVE)) {
            try {
                driver.findBySession(row.id())
                        .filter(machine -> machine.state() == MachineState.STOPPED)
                        .ifPresent(machine -> started.put(row, driver.start(machine.id())));
            } catch (RuntimeException e) {
                LOG.atWarn().setCause(e).addKeyValue("session", row.id()).log("machine not restarted");
            }
        }
        Instant deadline = clock.instant().plus(readyTimeout);
        started.forEach((row, machine) -> {
            try {
                Duration left = Duration.between(clock.instant(), deadline);
                Machine ready = driver.awaitReady(machine, left.isNegative() ? Duration.ofMillis(1) : left);
                SessionRow next = row.status() == SessionStatus.STARTING
                        ? row.moveTo(SessionStatus.ACTIVE).withReadyAt(clock.instant()) : row;
                sessions.write(row, next.withMachine(ready.id(), ready.url(), ready.region()));
                LOG.atInfo().addKeyValue("session", row.id()).addKeyValue("url", ready.url()).log("machine restarted");
            } catch (RuntimeException e) {
                // the session's next command, or cleanup, deals with it
                LOG.atWarn().setCause(e).addKeyValue("session", row.id()).log("restarted machine not ready");
            }
        });
        LOG.atInfo().addKeyValue("restarted", started.size()).log("startup recovery done");
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the command consumer. */
    @Override
    public int getPhase() {
        return 0;
    }
}
