package dev.velocitypreview.sessions.api;

import dev.velocitypreview.core.http.MediaTypes;

/** The content type of a project file by its extension ({@link MediaTypes}); every project file is UTF-8 text. */
final class FileContentTypes {

    private FileContentTypes() {
    }

    static String of(String path) {
        // a name that says binary (an image, a font) is still text here: its content was stored as text
        return MediaTypes.of(path).filter(MediaTypes::isText).orElse("text/plain") + ";charset=utf-8";
    }
}
