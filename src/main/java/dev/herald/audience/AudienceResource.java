package dev.herald.audience;

import java.time.Clock;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.herald.platform.Api;
import dev.herald.platform.ProblemException;
import dev.herald.platform.Problems;
import dev.herald.platform.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Counts the users an audience holds (contract section 2.5). */
@Path(Api.BASE + "/audience")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Audiences")
public class AudienceResource {

    private final Pool pool;
    private final Clock clock;

    public AudienceResource(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    @POST
    @Path("/count")
    @Operation(summary = "Count the users an audience holds now; null or absent counts every user")
    public Uni<AudienceCount> count(AudienceRequest request) {
        if (request == null) {
            throw ProblemException.invalid("audience", "is required: a criteria tree, or null for every user");
        }
        Problems.Collector errors = new Problems.Collector();
        Criteria audience = CriteriaParser.parse(request.audience(), "audience", CriteriaParser.Use.AUDIENCE, errors);
        errors.throwIfAny();
        SqlCompiler.Compiled compiled = SqlCompiler.compile(audience, 1, Sql.millis(clock.instant()));
        return pool.preparedQuery("SELECT count(*) AS n FROM users u WHERE " + compiled.sql())
                .execute(Tuple.from(compiled.params()))
                .map(rows -> new AudienceCount(rows.iterator().next().getLong("n")));
    }
}
