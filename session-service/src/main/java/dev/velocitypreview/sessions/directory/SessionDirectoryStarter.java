package dev.velocitypreview.sessions.directory;

import org.springframework.context.SmartLifecycle;

import dev.velocitypreview.core.directory.DirectoryStarter;

/** Ties platform-core's {@link DirectoryStarter} to the application's lifecycle. */
final class SessionDirectoryStarter implements SmartLifecycle {

    private final DirectoryStarter starter;

    SessionDirectoryStarter(DirectoryStarter starter) {
        this.starter = starter;
    }

    @Override
    public void start() {
        starter.start();
    }

    @Override
    public void stop() {
        starter.close();
    }

    @Override
    public boolean isRunning() {
        return starter.isRunning();
    }
}
