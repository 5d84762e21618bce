package dev.velocitypreview.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresUrlTest {

    @Test
    void hostPortAndDatabaseAreTakenFromTheUrl() {
        assertThat(PostgresUrl.parse("jdbc:postgresql://db.internal:6543/previews?sslmode=require"))
                .isEqualTo(new PostgresUrl("db.internal", 6543, "previews"));
    }

    @Test
    void missingPortMeansTheDefaultPort() {
        assertThat(PostgresUrl.parse("jdbc:postgresql://127.0.0.1/previews"))
                .isEqualTo(new PostgresUrl("127.0.0.1", 5432, "previews"));
    }

    @Test
    void urlWithoutHostMeansLocalhost() {
        assertThat(PostgresUrl.parse("jdbc:postgresql:previews"))
                .isEqualTo(new PostgresUrl("localhost", 5432, "previews"));
    }

    @Test
    void bracketedIpv6HostIsUnwrapped() {
        assertThat(PostgresUrl.parse("jdbc:postgresql://[::1]:5433/previews"))
                .isEqualTo(new PostgresUrl("::1", 5433, "previews"));
    }

    @Test
    void encodedDatabaseNameIsDecoded() {
        assertThat(PostgresUrl.parse("jdbc:postgresql://localhost:5432/my%20db").database()).isEqualTo("my db");
    }

    @Test
    void urlOfAnotherDatabaseIsRefused() {
        assertThatThrownBy(() -> PostgresUrl.parse("jdbc:mysql://localhost/previews"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with jdbc:postgresql:");
    }

    @Test
    void severalHostsAreRefusedBecauseTheSlotLivesOnOne() {
        assertThatThrownBy(() -> PostgresUrl.parse("jdbc:postgresql://a:5432,b:5432/previews"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single host");
    }

    @Test
    void urlWithoutDatabaseIsRefused() {
        assertThatThrownBy(() -> PostgresUrl.parse("jdbc:postgresql://localhost:5432/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must name a database");
    }

    @Test
    void portThatIsNotANumberIsRefused() {
        assertThatThrownBy(() -> PostgresUrl.parse("jdbc:postgresql://localhost:five/previews"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port that is not a number");
    }
}
