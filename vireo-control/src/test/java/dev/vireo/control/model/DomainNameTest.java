package dev.vireo.control.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DomainNameTest {

    @Test
    void normalFormIsLowerCaseWithoutTrailingDot() {
        assertThat(DomainName.normalize(" Push.Example.COM. ")).isEqualTo("push.example.com");
        assertThat(DomainName.normalize("xn--bcher-kva.example")).isEqualTo("xn--bcher-kva.example");
        assertThat(DomainName.normalize("a-b.c1.io")).isEqualTo("a-b.c1.io");
    }

    @Test
    void wildcardsHaveTheirOwnCode() {
        assertThatThrownBy(() -> DomainName.normalize("*.example.com"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("InvalidDomain.Wildcard");
                    assertThat(e.status()).isEqualTo(400);
                });
    }

    @Test
    void malformedNamesAreRefused() {
        for (String bad : new String[] {"", "localhost", "example", "a..com", "-a.com", "a-.com", "a_b.com",
                "1.2.3.4", "exa mple.com", "bücher.example", "a.com'; DROP TABLE domains; --", "a.com/x",
                "x".repeat(64) + ".com", ("a".repeat(60) + ".").repeat(5) + "com", ".com"}) {
            assertThatThrownBy(() -> DomainName.normalize(bad)).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidDomain.Malformed"));
        }
    }
}
