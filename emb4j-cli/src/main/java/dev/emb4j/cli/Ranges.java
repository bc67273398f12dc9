package dev.emb4j.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option types with a range, named in {@code @Option(converter = ...)}: a value outside the range is rejected while
 * the command line is parsed, as a usage error (exit code {@value Emb4jCommand#EXIT_USAGE}) that names the option:
 * {@code Invalid value for option '--dim': must be a whole number of at least 1, got '0'}.
 */
public final class Ranges {
  private Ranges() {}

  /** A whole number of at least 1 (sizes, counts, epochs, k). */
  public static final class Positive implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) wholeNumber(value, 1, Integer.MAX_VALUE);
    }
  }

  /** A whole number of at least 0 (where 0 means none, or all). */
  public static final class NonNegative implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) wholeNumber(value, 0, Integer.MAX_VALUE);
    }
  }

  /** A whole number of at least 0, up to {@link Long#MAX_VALUE} (milliseconds). */
  public static final class NonNegativeLong implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return wholeNumber(value, 0, Long.MAX_VALUE);
    }
  }

  /** A finite number greater than 0 (learning rates). */
  public static final class PositiveReal implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      return real(value, false);
    }
  }

  /** A finite number of at least 0 (regularisation strengths). */
  public static final class NonNegativeReal implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      return real(value, true);
    }
  }

  /**
   * {@code 100}, {@code 1_000_000} or {@code 2e6}: a whole number, also in scientific notation, within {@code [min,
   * max]}; a value too large for the option says the largest it takes.
   */
  private static long wholeNumber(String value, long min, long max) {
    String what = "must be a whole number of at least " + min + ", got '" + value + "'";
    String t = value.strip().replace("_", "");
    long v;
    try {
      v = Long.parseLong(t);
    } catch (NumberFormatException e) {
      double d;
      try {
        d = t.matches("[+-]?[0-9.]+[eE][+]?[0-9]+") ? Double.parseDouble(t) : Double.NaN;
      } catch (NumberFormatException notANumber) {
        d = Double.NaN;
      }
      if (d != Math.rint(d)) {
        boolean digits = t.matches("[+-]?[0-9]+"); // too many digits for a long
        throw new TypeConversionException(what + (digits ? " (the largest is " + max + ")" : ""));
      }
      v = d >= 0x1p63 ? Long.MAX_VALUE : (long) d;
      if (d > max) {
        throw new TypeConversionException(what + " (the largest is " + max + ")");
      }
    }
    if (v > max) {
      throw new TypeConversionException(what + " (the largest is " + max + ")");
    }
    if (v < min) {
      throw new TypeConversionException(what);
    }
    return v;
  }

  private static double real(String value, boolean zeroAllowed) {
    String what =
        "must be a finite number " + (zeroAllowed ? "of at least 0" : "greater than 0") + ", got '" + value + "'";
    double v;
    try {
      v = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException(what);
    }
    if (!Double.isFinite(v) || v < 0 || v == 0 && !zeroAllowed) {
      throw new TypeConversionException(what);
    }
    return v;
  }
}
