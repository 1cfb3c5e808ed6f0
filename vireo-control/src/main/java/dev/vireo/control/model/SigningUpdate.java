package dev.vireo.control.model;

/**
 * {@code PUT /api/v1/domains/{domain}/signing}: null fields keep their value; a primary key is kept (a
 * domain always has one, generated on creation); {@code secondaryKey: ""} removes the secondary key.
 */
public record SigningUpdate(Boolean enabled, String primaryKey, String secondaryKey, Integer validityMinutes) {

    @Override
    public String toString() {
        return "SigningUpdate[enabled=" + enabled + ", validityMinutes=" + validityMinutes + "]";
    }
}
