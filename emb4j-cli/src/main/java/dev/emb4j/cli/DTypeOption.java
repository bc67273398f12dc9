package dev.emb4j.cli;

import dev.emb4j.store.DType;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of a {@code --dtype} option, as a picocli converter: {@code fp32}, {@code fp16}, {@code bf16}, {@code int8}
 * or {@code int4} ({@code f32} and {@code f16} too, as file headers name them), of the types the option accepts. Any
 * other value is a usage error that names the accepted types; each nested class is the converter of one set of them.
 */
public abstract class DTypeOption implements ITypeConverter<DType> {
  private final List<DType> accepted;

  /** A converter that accepts {@code accepted}, in the order the error message lists them. */
  protected DTypeOption(DType... accepted) {
    this.accepted = List.of(accepted);
  }

  @Override
  public DType convert(String value) {
    DType type = null;
    try {
      type = DType.fromLabel(value);
    } catch (IllegalArgumentException e) {
      // named below, with the accepted types
    }
    if (type != null && accepted.contains(type)) {
      return type;
    }
    throw new TypeConversionException(
        "must be " + names(accepted) + ", got '" + value + "'" + (type == null ? "" : refusal(type)));
  }

  /** What to add to the error for {@code type}, a known type this option does not accept: empty, or a hint. */
  protected String refusal(DType type) {
    return "";
  }

  /** The command-line name of {@code dtype}: {@code fp32}, {@code fp16}, {@code bf16}, {@code int8} or {@code int4}. */
  public static String name(DType dtype) {
    return switch (dtype) {
      case F32 -> "fp32";
      case F16 -> "fp16";
      case BF16, INT8, INT4 -> dtype.label();
    };
  }

  /** {@code "fp16, bf16 or int8"}: the command-line names of {@code types}. */
  public static String names(List<DType> types) {
    List<String> n = types.stream().map(DTypeOption::name).toList();
    return n.size() == 1 ? n.get(0) : String.join(", ", n.subList(0, n.size() - 1)) + " or " + n.get(n.size() - 1);
  }

  /** Float rows: {@code fp32}, {@code fp16} or {@code bf16} (the tables training builds; vector files). */
  public static final class Floats extends DTypeOption {
    /** The help text of a training command's {@code --dtype} option. */
    public static final String TRAINING =
        "Element type of the embedding tables: fp32, fp16 or bf16 (half the memory; updated with stochastic"
            + " rounding) (default: ${DEFAULT-VALUE}).";

    /** The converter. */
    public Floats() {
      super(DType.F32, DType.F16, DType.BF16);
    }

    @Override
    protected String refusal(DType type) {
      return " (" + name(type) + " rows are for lookups only: use 'emb4j vectors quantize' or 'emb4j classify quantize'"
          + " on trained rows)";
    }
  }

  /** Rows smaller than fp32: {@code fp16}, {@code bf16}, {@code int8} or {@code int4}. */
  public static final class Smaller extends DTypeOption {
    /** The converter. */
    public Smaller() {
      super(DType.F16, DType.BF16, DType.INT8, DType.INT4);
    }
  }

  /** Row-wise quantized rows: {@code int8} or {@code int4}. */
  public static final class Quantized extends DTypeOption {
    /** The converter. */
    public Quantized() {
      super(DType.INT8, DType.INT4);
    }
  }

  /** Every type: {@code fp32}, {@code fp16}, {@code bf16}, {@code int8} or {@code int4}. */
  public static final class Any extends DTypeOption {
    /** The converter. */
    public Any() {
      super(DType.F32, DType.F16, DType.BF16, DType.INT8, DType.INT4);
    }
  }
}
