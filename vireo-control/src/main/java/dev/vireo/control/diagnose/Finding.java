package dev.vireo.control.diagnose;

/**
 * One thing the troubleshooter found about a URL.
 *
 * @param code stable identifier ({@code SignatureExpired}), for scripts and tests
 * @param severity {@code ok}, {@code warn} (works, but worth changing) or {@code error} (will be refused / will not play)
 * @param suggestion what to change, or null when nothing is to be done
 */
public record Finding(String code, String severity, String message, String suggestion) {

    static Finding ok(String code, String message) {
        return new Finding(code, "ok", message, null);
    }

    static Finding warn(String code, String message, String suggestion) {
        return new Finding(code, "warn", message, suggestion);
    }

    static Finding error(String code, String message, String suggestion) {
        return new Finding(code, "error", message, suggestion);
    }
}
