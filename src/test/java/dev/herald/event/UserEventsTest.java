package dev.herald.event;

import static dev.herald.support.Http.admin;
import static dev.herald.support.Http.ingest;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.support.Http;
import dev.herald.support.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;

/** {@code GET /users/{userId}/events}: a user's events, newest first, page by page. */
@QuarkusTest
class UserEventsTest {

    @Inject
    Pool pool;

    @Test
    void aUsersEventsArePagedNewestFirstWithOrWithoutAName() {
        String user = Http.userId("listed");
        String other = Http.userId("listed-other");
        for (int n = 0; n < 7; n++) {
            track(user, n % 2 == 0 ? "even" : "odd", n);
            track(other, "even", 100 + n);
        }

        assertThat(pages(user, null, 3)).containsExactly(List.of(6, 5, 4), List.of(3, 2, 1), List.of(0));
        assertThat(pages(user, "even", 3)).containsExactly(List.of(6, 4, 2), List.of(0));
        assertThat(pages(user, "odd", 50)).containsExactly(List.of(5, 3, 1));
        assertThat(pages(user, "none", 50)).containsExactly(List.of());
    }

    @Test
    void storedEventsEnterOneIndexThatLeadsWithTheirUser() {
        // Each such index costs a stored event a page of its user's, scattered over the index; the
        // one left carries the ids, so a user's events are listed newest first without a second
        // (V13).
        assertThat(Rows.count(pool, "pg_indexes", "tablename = 'events' AND indexdef LIKE '%(user_id, %'"
                + " AND indexdef NOT LIKE '%UNIQUE%'")).isEqualTo(1);
        assertThat(Rows.count(pool, "pg_indexes", "tablename = 'events' AND indexname = 'events_user_name_time_id'"
                + " AND indexdef LIKE '%(user_id, name, \"time\" DESC) INCLUDE (id)'")).isEqualTo(1);
    }

    private static void track(String user, String name, int n) {
        ingest().body(Map.of("userId", user, "event", name, "params", Map.of("n", n))).post("/api/v1/events")
                .then().statusCode(202);
    }

    /** Every page of the user's events, each as its events' {@code n}, following {@code next}. */
    private static List<List<Integer>> pages(String user, String name, int limit) {
        List<List<Integer>> pages = new ArrayList<>();
        String after = null;
        do {
            var request = admin().queryParam("limit", limit);
            if (name != null) {
                request.queryParam("name", name);
            }
            if (after != null) {
                request.queryParam("after", after);
            }
            JsonPath page = request.get("/api/v1/users/{id}/events", user).then().statusCode(200).extract().jsonPath();
            pages.add(page.getList("items.params.n", Integer.class));
            after = page.getString("next");
        } while (after != null);
        return pages;
    }
}
