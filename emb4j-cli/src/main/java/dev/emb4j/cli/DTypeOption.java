package dev.emb4j.cli;

import dev.emb4j.store.DType;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The value of a {@code --dtype} option: a {@link DType} label ({@code fp16} and {@code f16} alike). */
public final class DTypeOption {
  private DTypeOption() {}

  /**
   * The type {@code value} names, if it is one of {@code accepted}.
   *
   * @throws CommandLine.ParameterException (a usage error) naming the accepted types otherwise
   */
  public static DType parse(CommandSpec spec, String value, DType... accepted) {
    List<DType> ok = Arrays.asList(accepted);
    try {
      DType type = DType.fromLabel(value);
      if (ok.contains(type)) {
        return type;
      }
    } catch (IllegalArgumentException e) {
      // named below, with the accepted types
    }
    List<String> labels = ok.stream().map(DType::label).toList();
    String names =
        labels.size() == 1
            ? labels.get(0)
            : String.join(", ", labels.subList(0, labels.size() - 1)) + " or " + labels.get(labels.size() - 1);
    throw new CommandLine.ParameterException(spec.commandLine(), "--dtype must be " + names + ", got '" + value + "'");
  }
}
