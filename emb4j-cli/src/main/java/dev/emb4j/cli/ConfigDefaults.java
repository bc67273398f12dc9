package dev.emb4j.cli;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults read from a task config's own defaults, so that each default is stated once, in the config: a
 * command names this provider in {@code @Command(defaultValueProvider = ...)} and maps its option names to the
 * config's values; {@code ${DEFAULT-VALUE}} in the help shows them.
 */
public abstract class ConfigDefaults implements IDefaultValueProvider {
  /** For subclasses, which picocli instantiates. */
  protected ConfigDefaults() {}

  /** The default of the option with this longest name (e.g. {@code "--dim"}), or null for none. */
  protected abstract String defaultFor(String option);

  @Override
  public final String defaultValue(ArgSpec arg) {
    return arg instanceof OptionSpec option ? defaultFor(option.longestName()) : null;
  }
}
