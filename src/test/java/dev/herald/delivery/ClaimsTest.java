package dev.herald.delivery;

import static dev.herald.support.Users.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.herald.platform.Sql;
import dev.herald.user.User;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** What a claim brings back besides the deliveries it took: their users, read in the same round trip. */
@QuarkusTest
class ClaimsTest {

    @Inject
    Pool pool;
    @Inject
    DeliveryStore deliveries;

    private final UUID campaign = UUID.randomUUID();
    /** A host of this test's own: the claim is given room for it alone, so it takes nothing of other tests'. */
    private final String host = "claims-" + System.nanoTime() + ".example:443";

    @AfterEach
    void removeRows() {
        pool.preparedQuery("DELETE FROM deliveries WHERE campaign_id = $1").execute(Tuple.of(campaign))
                .await().indefinitely();
    }

    @Test
    void aClaimReadsTheUsersOfWhatItTookAndNoneThatIsGone() {
        String present = user("claimed").with("plan", "pro").put();
        String gone = "claimed-gone-" + System.nanoTime();
        // Due far past the clock, so that this instance's own claims leave them alone.
        Instant due = Sql.millis(Instant.now().plus(Duration.ofDays(3650)));
        Instant now = due.plus(Duration.ofMinutes(1));
        pool.preparedQuery("INSERT INTO deliveries (campaign_id, user_id, host, action_id, action_index, status,"
                + " due_at, created_at, updated_at) SELECT $1, u, $2, $3, 0, 'PENDING', $4, now(), now()"
                + " FROM unnest($5::text[]) u")
                .execute(Tuple.from(new Object[] { campaign, host, UUID.randomUUID(), Sql.ts(due),
                        new String[] { present, gone } }))
                .await().indefinitely();

        DeliveryStore.Claims claims = deliveries.claim(now, now.plus(Duration.ofMinutes(1)), 10,
                new DeliveryStore.HostRoom(new String[] { host }, new Integer[] { 10 }, 0)).await().indefinitely();

        assertThat(claims.claimed()).extracting(Claimed::userId).containsExactlyInAnyOrder(present, gone);
        UUID presentDelivery = claims.claimed().stream().filter(c -> c.userId().equals(present)).findFirst()
                .orElseThrow().id();
        assertThat(claims.users()).containsOnlyKeys(presentDelivery);
        User read = claims.users().get(presentDelivery);
        assertThat(read.id()).isEqualTo(present);
        assertThat(read.attributes().path("plan").asText()).isEqualTo("pro");
        assertThat(read.createdAt()).isNotNull();
    }
}
