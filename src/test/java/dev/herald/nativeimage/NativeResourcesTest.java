package dev.herald.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * A native binary holds only the resources it was told to include. Every file under
 * src/main/resources that Herald reads at run time must match {@code quarkus.native.resources.includes}.
 */
class NativeResourcesTest {

    private static final Path RESOURCES = Path.of("src/main/resources");

    /**
     * Read by Quarkus at build time, served by Quarkus from META-INF/resources on its own, or a
     * Qute template, which the Qute extension puts in the native image itself.
     */
    private static boolean builtIn(String path) {
        return path.equals("application.properties") || path.startsWith("META-INF/resources/")
                || path.startsWith("templates/");
    }

    @Test
    void everyRuntimeResourceIsIncludedInTheNativeImage() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(RESOURCES.resolve("application.properties"))) {
            properties.load(in);
        }
        String includes = properties.getProperty("quarkus.native.resources.includes", "");
        List<PathMatcher> globs = Arrays.stream(includes.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
        try (Stream<Path> files = Files.walk(RESOURCES)) {
            List<String> missing = files.filter(Files::isRegularFile)
                    .map(f -> RESOURCES.relativize(f).toString().replace('\\', '/'))
                    .filter(path -> !builtIn(path))
                    .filter(path -> globs.stream().noneMatch(g -> g.matches(Path.of(path))))
                    .sorted().toList();
            assertThat(missing).as("resources missing from quarkus.native.resources.includes").isEmpty();
        }
        assertThat(globs).as("the migrations are included").anyMatch(g -> g.matches(Path.of(
                "db/migration/V1__campaigns_users_deliveries.sql")));
    }
}
