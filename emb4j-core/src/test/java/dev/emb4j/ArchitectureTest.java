package dev.emb4j;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layering of emb4j-core's packages (docs/architecture.md): a package may use only packages on a strictly lower
 * level, and no two packages depend on each other in a circle. Only the Panama kernel classes touch the Vector API.
 */
@AnalyzeClasses(packages = "dev.emb4j", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** The levels, lowest first; each inner list is one level. Keep in step with docs/architecture.md. */
  static final List<List<String>> LEVELS =
      List.of(
          List.of("dev.emb4j", "dev.emb4j.internal.format"),
          List.of("dev.emb4j.tensor", "dev.emb4j.metrics", "dev.emb4j.internal.store"),
          List.of("dev.emb4j.store"),
          List.of("dev.emb4j.internal.kernel"),
          List.of("dev.emb4j.autograd"),
          List.of("dev.emb4j.nn"),
          List.of("dev.emb4j.optim"),
          List.of("dev.emb4j.vocab"),
          List.of("dev.emb4j.io"),
          List.of("dev.emb4j.checkpoint"),
          List.of("dev.emb4j.search"),
          List.of("dev.emb4j.task"),
          List.of("dev.emb4j.task.text"));

  private static final Map<String, Integer> LEVEL_OF = levelOf();

  private static Map<String, Integer> levelOf() {
    Map<String, Integer> m = new HashMap<>();
    for (int level = 0; level < LEVELS.size(); level++) {
      for (String pkg : LEVELS.get(level)) {
        m.put(pkg, level);
      }
    }
    return m;
  }

  @ArchTest
  static final ArchRule everyPackageHasALevel =
      ArchRuleDefinition.classes()
          .should(
              new ArchCondition<JavaClass>("reside in a package listed in ArchitectureTest.LEVELS") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                  if (!LEVEL_OF.containsKey(c.getPackageName())) {
                    events.add(
                        SimpleConditionEvent.violated(
                            c, c.getName() + " is in package " + c.getPackageName() + ", which has no level"));
                  }
                }
              });

  @ArchTest
  static final ArchRule importsOnlyGoDown =
      ArchRuleDefinition.classes()
          .should(
              new ArchCondition<JavaClass>("depend only on emb4j packages of a lower level (or their own)") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                  Integer own = LEVEL_OF.get(c.getPackageName());
                  if (own == null) {
                    return; // reported by everyPackageHasALevel
                  }
                  c.getDirectDependenciesFromSelf().forEach(d -> {
                    String target = d.getTargetClass().getPackageName();
                    Integer level = LEVEL_OF.get(target);
                    if (level != null && !target.equals(c.getPackageName()) && level >= own) {
                      events.add(
                          SimpleConditionEvent.violated(
                              d,
                              c.getPackageName() + " (level " + own + ") must not use " + target + " (level " + level
                                  + "): " + d.getDescription()));
                    }
                  });
                }
              });

  @ArchTest
  static final ArchRule noCycles = slices().matching("dev.emb4j.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule onlyPanamaClassesUseTheVectorApi =
      noClasses()
          .that(
              DescribedPredicate.describe(
                  "are not Panama* classes", (JavaClass c) -> !c.getName().matches(".*\\.Panama[^.]*")))
          .should()
          .dependOnClassesThat()
          .resideInAPackage("jdk.incubator.vector..");

  @ArchTest
  static void theLevelsListEveryPackageOnce(JavaClasses classes) {
    long listed = LEVELS.stream().mapToLong(List::size).sum();
    if (listed != LEVEL_OF.size()) {
      throw new AssertionError("a package is listed on two levels: " + LEVELS);
    }
  }
}
