package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Mutiny's callbacks are run as given, with no thread context captured around them: the
 * settings under "Threads" in application.properties hold, whatever providers the extensions
 * bring.
 */
@QuarkusTest
class ContextPropagationTest {

    @Test
    void callbacksAreNotWrapped() {
        Runnable runnable = () -> {
        };
        Function<String, String> function = String::trim;

        assertThat(Infrastructure.decorate(runnable)).isSameAs(runnable);
        assertThat(Infrastructure.decorate(function)).isSameAs(function);
    }
}
