package dev.emb4j.cli.recommend;

import dev.emb4j.task.RatingRange;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --rating-range MIN:MAX}, shared by the commands that read ratings files. */
final class RatingRangeOption {
  @Option(
      names = "--rating-range",
      paramLabel = "MIN:MAX",
      converter = Converter.class,
      description = "The data's rating scale, e.g. 1:5 for MovieLens; a rating outside it is a malformed line"
          + " (default: -1000000:1000000).")
  RatingRange range = RatingRange.DEFAULT;

  /** Reads the range; a malformed one is a usage error naming the option. */
  static final class Converter implements ITypeConverter<RatingRange> {
    @Override
    public RatingRange convert(String value) {
      try {
        return RatingRange.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
