package dev.herald.console;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;


import dev.herald.dispatch.HostGuards;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;

/** The console's view of this instance's engine: what is due, how late, what is in flight, which hosts are shut. */
@Path(Console.BASE + "/engine")
@Produces(MediaType.TEXT_HTML)
public class EnginePage {

    private final MeterRegistry registry;
    private final HostGuards guards;
    private final Visitor visitor;

    public EnginePage(MeterRegistry registry, HostGuards guards, Visitor visitor) {
        this.registry = registry;
        this.guards = guards;
        this.visitor = visitor;
    }

    /** The engine's figures as its metrics hold them now. */
    @TemplateData
    public record Engine(long due, long oldestDueSeconds, long inFlight, long breakersOpen,
            List<HostGuards.HostState> hosts) {
    }

    @GET
    public TemplateInstance engine() {
        List<HostGuards.HostState> hosts = guards.hosts();
        Engine engine = new Engine(gauge("herald.deliveries.due"), gauge("herald.deliveries.due.oldest.age"),
                gauge("herald.requests.in.flight"), hosts.stream().filter(h -> h.openUntil() != null).count(),
                hosts);
        return Pages.engine(new Chrome("Engine", "engine", visitor.csrf(), null), engine);
    }

    private long gauge(String name) {
        Gauge gauge = registry.find(name).gauge();
        return gauge == null || Double.isNaN(gauge.value()) ? 0 : Math.round(gauge.value());
    }
}
