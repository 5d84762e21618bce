package dev.velocitypreview.core.config;

import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;

/**
 * Checks settings built in code against their Jakarta constraints, the ones Spring checks on a
 * {@code @Validated} properties record when it binds one. Libraries whose settings no binder sees
 * (the CDC relay's, the Fly driver's) call it where their settings are accepted, so both kinds of
 * settings are validated by one mechanism. Needs a Jakarta Validation provider on the classpath.
 */
public final class Constraints {

    private Constraints() {
    }

    /**
     * @return {@code settings}, when every constraint holds
     * @throws IllegalArgumentException naming each broken setting by its path and what it must be
     */
    public static <T> T check(T settings) {
        Set<ConstraintViolation<T>> violations = Holder.VALIDATOR.validate(settings);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException(violations.stream()
                    .map(violation -> violation.getPropertyPath() + " " + violation.getMessage())
                    .sorted(Comparator.naturalOrder())
                    .collect(Collectors.joining("; ")));
        }
        return settings;
    }

    /** Built on first use: a class that never checks anything needs no provider. */
    private static final class Holder {
        static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();
    }
}
