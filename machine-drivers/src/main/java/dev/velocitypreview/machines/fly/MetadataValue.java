package dev.velocitypreview.machines.fly;

/** The body of {@code POST /v1/apps/{app}/machines/{id}/metadata/{key}}: the key's new value. */
record MetadataValue(String value) {
}
