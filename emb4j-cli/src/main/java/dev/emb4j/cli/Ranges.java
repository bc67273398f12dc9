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
      return wholeNumber(value, 1);
    }
  }

  /** A whole number of at least 0 (where 0 means none, or all). */
  public static final class NonNegative implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return wholeNumber(value, 0);
    }
  }

  /** A whole number of at least 0, up to {@link Long#MAX_VALUE} (milliseconds, bytes). */
  public static final class NonNegativeLong implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      long v;
      try {
        v = Long.parseLong(value.strip());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("must be a whole number of at least 0, got '" + value + "'");
      }
      if (v < 0) {
        throw new TypeConversionException("must be a whole number of at least 0, got '" + value + "'");
      }
      return v;
    }
  }

  /** A finite number greater than 0 (learning rates). */
  public static final class PositiveReal implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double v = real(value);
      if (!(v > 0)) {
        throw new TypeConversionException("must be a finite number greater than 0, got '" + value + "'");
      }
      return v;
    }
  }

  /** A finite number of at least 0 (regularisation strengths). */
  public static final class NonNegativeReal implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double v = real(value);
      if (!(v >= 0)) {
        throw new TypeConversionException("must be a finite number of at least 0, got '" + value + "'");
      }
      return v;
    }
  }

  private static int wholeNumber(String value, int min) {
    String what = "must be a whole number of at least " + min + ", got '" + value + "'";
    int v;
    try {
      v = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      if (value.strip().matches("[+-]?[0-9]+")) {
        throw new TypeConversionException(what + " (the largest is " + Integer.MAX_VALUE + ")");
      }
      throw new TypeConversionException(what);
    }
    if (v < min) {
      throw new TypeConversionException(what);
    }
    return v;
  }

  private static double real(String value) {
    double v;
    try {
      v = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("must be a number, got '" + value + "'");
    }
    if (!Double.isFinite(v)) {
      throw new TypeConversionException("must be a finite number, got '" + value + "'");
    }
    return v;
  }
}
