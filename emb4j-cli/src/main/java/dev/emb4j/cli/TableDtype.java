package dev.emb4j.cli;

import dev.emb4j.store.DType;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The element type of the tables a training command builds, for {@code --dtype}: {@code fp32}, {@code fp16} or
 * {@code bf16} (also {@code f32}, {@code f16}, as {@code vectors convert} names them). Anything else is a usage error
 * that names the option.
 */
public final class TableDtype implements ITypeConverter<DType> {

  /** The help text of a {@code --dtype} option. */
  public static final String DESCRIPTION =
      "Element type of the embedding tables: fp32, fp16 or bf16 (half the memory; updated with stochastic"
          + " rounding) (default: ${DEFAULT-VALUE}).";

  @Override
  public DType convert(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "fp32", "f32" -> DType.F32;
      case "fp16", "f16" -> DType.F16;
      case "bf16" -> DType.BF16;
      default -> throw new TypeConversionException("must be fp32, fp16 or bf16, got '" + value + "'");
    };
  }

  /** The name of {@code dtype} on the command line: {@code fp32}, {@code fp16}, {@code bf16}, {@code int8}, {@code int4}. */
  public static String name(DType dtype) {
    return switch (dtype) {
      case F32 -> "fp32";
      case F16 -> "fp16";
      case BF16, INT8, INT4 -> dtype.label();
    };
  }
}
