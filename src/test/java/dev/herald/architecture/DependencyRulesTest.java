package dev.herald.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import dev.herald.campaign.CampaignStatus;
import dev.herald.delivery.DeliveryStore;
import io.vertx.core.http.HttpServerRequest;

/**
 * Holds Herald's packages to one-way dependencies, read from the compiled classes: a package may
 * use the packages of lower levels, never one of its own level or above, and so no cycle can form.
 */
class DependencyRulesTest {

    /**
     * Lowest first. A feature's REST resources, services, model and stores live in its package;
     * what a lower package must hear from a higher one (wake-ups, trigger entries, the trigger
     * index) goes through an interface or a CDI event the lower package defines.
     */
    static final List<List<String>> LEVELS = List.of(
            List.of("platform"),
            List.of("template", "audience"),
            List.of("destination"),
            List.of("delivery"),
            List.of("user"),
            List.of("event"),
            List.of("campaign"),
            List.of("dispatch", "run", "retention", "explain"),
            // Above the dispatcher: entries due at once are handed to it as they are written.
            List.of("trigger"),
            List.of("console"));

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.herald");
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching("dev.herald.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void eachPackageUsesOnlyLowerLevels() {
        for (int level = 0; level < LEVELS.size(); level++) {
            for (String pkg : LEVELS.get(level)) {
                List<String> forbidden = new ArrayList<>();
                for (int other = level; other < LEVELS.size(); other++) {
                    LEVELS.get(other).stream().filter(p -> !p.equals(pkg)).map(p -> "dev.herald." + p + "..")
                            .forEach(forbidden::add);
                }
                if (forbidden.isEmpty()) {
                    continue;
                }
                noClasses().that().resideInAPackage("dev.herald." + pkg + "..")
                        .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                        .because(pkg + " is on level " + level + " of " + LEVELS)
                        .check(classes);
            }
        }
    }

    @Test
    void everyPackageHasALevel() {
        List<String> known = LEVELS.stream().flatMap(List::stream).toList();
        classes.stream().map(c -> c.getPackageName().replaceFirst("^dev\\.herald\\.?", "").split("\\.")[0])
                .filter(pkg -> !pkg.isEmpty()).distinct()
                .forEach(pkg -> assertThat(known)
                        .as("package dev.herald.%s needs a level in LEVELS", pkg).contains(pkg));
    }

    /** The delivery store names two campaign statuses in SQL without the enum, which sits above it. */
    @Test
    void campaignStatusesSpelledBelowTheirEnumAgreeWithIt() {
        assertThat(DeliveryStore.CAMPAIGN_ACTIVE).isEqualTo(CampaignStatus.ACTIVE.sql());
        assertThat(DeliveryStore.CAMPAIGN_FINISHED).isEqualTo(CampaignStatus.FINISHED.sql());
    }

    @Test
    void resourcesAreTheTopOfTheirFeature() {
        noClasses().that().haveSimpleNameNotEndingWith("Resource")
                .should().dependOnClassesThat().haveSimpleNameEndingWith("Resource")
                .check(classes);
    }

    /**
     * What a request may do is decided on the path the router matches it by
     * ({@code RoutingContext.normalizedPath()}): the raw path let {@code /./api/v1/...} and
     * {@code /%61pi/v1/...} past the API key check.
     */
    @Test
    void noCodeDecidesByTheRawPath() {
        noClasses().should().callMethod(HttpServerRequest.class, "path").check(classes);
    }

    @Test
    void storesDoNotCallServices() {
        noClasses().that().haveSimpleNameEndingWith("Store").or().haveSimpleNameEndingWith("Repository")
                .or().haveSimpleNameEndingWith("Queries")
                .should().dependOnClassesThat().haveSimpleNameEndingWith("Service")
                .check(classes);
    }
}
