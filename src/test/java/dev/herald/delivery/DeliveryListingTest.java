package dev.herald.delivery;

import static dev.herald.support.Http.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


import dev.herald.platform.Ids;
import dev.herald.support.Plans;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@code GET /deliveries} by status and reason: the deliveries that ended undelivered are listed
 * newest first, page by page, through the index of reasons, without reading the delivered ones
 * newer than them (V14).
 */
@QuarkusTest
class DeliveryListingTest {

    private static final int DELIVERED_AFTER = 20_000;
    private static final int PAGE = 50;

    @Inject
    Pool pool;

    private final UUID campaign = UUID.randomUUID();

    @AfterEach
    void removeRows() {
        pool.preparedQuery("DELETE FROM deliveries WHERE campaign_id = $1").execute(Tuple.of(campaign))
                .await().indefinitely();
    }

    @Test
    void deliveriesAreListedByStatusAndByReasonNewestFirstAcrossPages() {
        List<UUID> ids = new ArrayList<>();
        for (String state : List.of("DELIVERED", "FAILED RETRIES_EXHAUSTED", "SKIPPED CONDITION",
                "FAILED PERMANENT_STATUS", "CANCELLED USER_EXITED", "PENDING", "FAILED RETRIES_EXHAUSTED",
                "SKIPPED FREQUENCY_CAP", "DELIVERED", "FAILED TIMEOUT", "CANCELLED CAMPAIGN_FINISHED",
                "FAILED PERMANENT_STATUS")) {
            String[] parts = state.split(" ");
            ids.add(insert(parts[0], parts.length > 1 ? parts[1] : null));
        }

        assertThat(pages("status=FAILED", 2)).containsExactly(List.of(ids.get(11), ids.get(9)),
                List.of(ids.get(6), ids.get(3)), List.of(ids.get(1)));
        assertThat(pages("status=skipped", 50)).containsExactly(List.of(ids.get(7), ids.get(2)));
        assertThat(pages("status=CANCELLED", 1)).containsExactly(List.of(ids.get(10)), List.of(ids.get(4)));
        assertThat(pages("reason=PERMANENT_STATUS", 1)).containsExactly(List.of(ids.get(11)), List.of(ids.get(3)));
        assertThat(pages("status=SKIPPED&reason=CONDITION", 50)).containsExactly(List.of(ids.get(2)));
        assertThat(pages("status=FAILED&reason=CONDITION", 50)).containsExactly(List.of());
        assertThat(pages("status=PENDING", 50)).containsExactly(List.of(ids.get(5)));
        assertThat(pages("status=DELIVERED", 50)).containsExactly(List.of(ids.get(8), ids.get(0)));
        List<UUID> newestFirst = new ArrayList<>(ids);
        Collections.reverse(newestFirst);
        assertThat(pages("", 5).stream().flatMap(List::stream).toList()).containsExactlyElementsOf(newestFirst);
    }

    @Test
    void aDeliveryHasAReasonExactlyWhenItEndedUndelivered() {
        // A status is listed as the union of its reasons: a FAILED delivery without one would be
        // missed, and a DELIVERED one with one would be listed under its reason's status.
        assertThatThrownBy(() -> insert("FAILED", null)).hasMessageContaining("deliveries_reason_when_not_delivered");
        assertThatThrownBy(() -> insert("DELIVERED", "TIMEOUT"))
                .hasMessageContaining("deliveries_reason_when_not_delivered");
        assertThatThrownBy(() -> insert("PENDING", "CONDITION"))
                .hasMessageContaining("deliveries_reason_when_not_delivered");
        for (DeliveryReason reason : DeliveryReason.values()) {
            assertThat(reason.status().isFinal()).isTrue();
            assertThat(reason.status()).isNotEqualTo(DeliveryStatus.DELIVERED);
        }
    }

    @Test
    void undeliveredPagesDoNotReadTheDeliveredRowsNewerThanThem() {
        insert("FAILED", "RETRIES_EXHAUSTED");
        insert("SKIPPED", "CONDITION");
        insert("CANCELLED", "CAMPAIGN_FINISHED");
        insert("PENDING", null);
        pool.preparedQuery("INSERT INTO deliveries (campaign_id, user_id, host, action_id, action_index, status,"
                + " attempt_count, created_at, updated_at, finished_at) SELECT $1, 'listed-' || g, 'listing.example:1',"
                + " $2, 0, 'DELIVERED', 1, now(), now(), now() FROM generate_series(1, " + DELIVERED_AFTER + ") g")
                .execute(Tuple.of(campaign, UUID.randomUUID())).await().indefinitely();
        pool.query("ANALYZE deliveries").execute().await().indefinitely();

        // Every other test's deliveries are in the table too: a page reads at most a page of
        // each of the status's reasons, whatever else the table holds.
        for (DeliveryStatus status : List.of(DeliveryStatus.FAILED, DeliveryStatus.SKIPPED, DeliveryStatus.CANCELLED)) {
            assertThat(rowsRead(new DeliveryQueries.Filter(null, null, status, null, null, null, null, PAGE + 1)))
                    .as("deliveries read for a page of " + status)
                    .isLessThanOrEqualTo((long) DeliveryReason.of(status).size() * (PAGE + 1));
            assertThat(rowsRead(new DeliveryQueries.Filter(campaign, null, status, null, null, null, null, PAGE + 1)))
                    .as("deliveries read for a page of the campaign's " + status)
                    .isLessThanOrEqualTo((long) DeliveryReason.of(status).size() * (PAGE + 1));
        }
        assertThat(rowsRead(new DeliveryQueries.Filter(null, null, null, DeliveryReason.CONDITION, null, null, null,
                PAGE + 1))).as("deliveries read for a page of one reason").isLessThanOrEqualTo(PAGE + 1);
        assertThat(rowsRead(new DeliveryQueries.Filter(campaign, null, DeliveryStatus.PENDING, null, null, null, null,
                PAGE + 1))).as("deliveries read for a page of the campaign's PENDING").isLessThan(DELIVERED_AFTER);
    }

    private UUID insert(String status, String reason) {
        UUID id = Ids.newId();
        boolean finished = !status.equals("PENDING") && !status.equals("SENDING");
        pool.preparedQuery("INSERT INTO deliveries (id, campaign_id, user_id, host, action_id, action_index, status,"
                + " reason, attempt_count, created_at, updated_at, finished_at) VALUES ($1, $2, 'listed', 'listing.example:1',"
                + " $3, 0, $4, $5, 0, now(), now(), CASE WHEN $6 THEN now() END)")
                .execute(Tuple.from(new Object[] { id, campaign, UUID.randomUUID(), status, reason, finished }))
                .await().indefinitely();
        return id;
    }

    /** Every page of this campaign's deliveries that match {@code query}, each as its ids, following {@code next}. */
    private List<List<UUID>> pages(String query, int limit) {
        List<List<UUID>> pages = new ArrayList<>();
        String after = null;
        do {
            JsonPath page = admin().get("/api/v1/deliveries?campaignId=" + campaign + (query.isEmpty() ? "" : "&" + query)
                    + "&limit=" + limit + (after == null ? "" : "&after=" + after)).then().statusCode(200).extract()
                    .jsonPath();
            pages.add(page.getList("items.id", String.class).stream().map(UUID::fromString).toList());
            after = page.getString("next");
        } while (after != null);
        return pages;
    }

    /** Rows of deliveries the listing's plan read, explained and executed. */
    private long rowsRead(DeliveryQueries.Filter filter) {
        List<Object> values = new ArrayList<>();
        String sql = DeliveryQueries.listing(filter, values);
        String plan = pool.preparedQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + sql).execute(Tuple.from(values))
                .await().indefinitely().iterator().next().getValue(0).toString();
        return Plans.rowsRead(Plans.of(plan), "deliveries");
    }
}
