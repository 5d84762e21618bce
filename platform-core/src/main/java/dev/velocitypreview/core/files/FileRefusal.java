package dev.velocitypreview.core.files;

import java.util.Objects;


/**
 * Why a change to a project's files is refused: a stable {@code code} (the problem's {@code code} on the API),
 * the HTTP {@code status} it maps to, a {@code detail} naming the path and the rule, the {@code path} at fault when
 * there is one, and for {@code stale_version} the file's {@code currentVersion} (null when the file does not exist).
 */
public record FileRefusal(String code, int status, String detail, String path, Long currentVersion) {

    public static final String ABSOLUTE_PATH = "absolute_path";
    public static final String DOT_SEGMENT = "dot_segment";
    public static final String EMPTY_SEGMENT = "empty_segment";
    public static final String BACKSLASH = "backslash_in_path";
    public static final String CONTROL_CHARACTER = "control_character_in_path";
    public static final String PATH_TOO_LONG = "path_too_long";
    public static final String RESERVED_SEGMENT = "reserved_segment";
    public static final String DUPLICATE_PATH = "duplicate_path";
    public static final String FILE_TOO_LARGE = "file_too_large";
    public static final String TOO_MANY_FILES = "too_many_files";
    public static final String PROJECT_TOO_LARGE = "project_too_large";
    public static final String INVALID_PACKAGE_JSON = "invalid_package_json";
    public static final String INVALID_PACKAGE_LOCK = "invalid_package_lock";
    public static final String BINARY_CONTENT = "binary_content_not_supported";
    public static final String STALE_VERSION = "stale_version";
    public static final String PROJECT_NOT_FOUND = "project_not_found";
    public static final String FILE_NOT_FOUND = "file_not_found";

    public FileRefusal {
        Objects.requireNonNull(code, "code is required");
        Objects.requireNonNull(detail, "detail is required");
        if (code.isBlank()) {
            throw new IllegalArgumentException("code must not be blank");
        }
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("status must be a 4xx status, got " + status);
        }
    }

    static FileRefusal of(String code, int status, String path, String detail) {
        return new FileRefusal(code, status, detail, path, null);
    }

    /** The refusal as an exception, for code that checks several rules in a row. */
    public FileRefusedException exception() {
        return new FileRefusedException(this);
    }
}
