package dev.velocitypreview.sessions.files;

/** The files API has no datasource ({@code velocity.session-service.files.datasource.*} is not set). */
public final class FilesNotConfiguredException extends RuntimeException {

    FilesNotConfiguredException() {
        super("the files API is not configured: velocity.session-service.files.datasource.url is not set");
    }
}
