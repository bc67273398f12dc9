package dev.emb4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fuzz target of emb4j's: without {@code JAZZER_FUZZ=1} it replays its seeds (a regression test), with it Jazzer
 * fuzzes it for 20 seconds, the bounded run that {@code .ci/run} gives every target. Jazzer fuzzes one target per
 * JVM, so each target is a class of its own, and the module's surefire forks a JVM per class.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@FuzzTest(maxDuration = "20s")
@interface Fuzz {}
