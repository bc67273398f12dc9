package dev.emb4j.task.text;

import dev.emb4j.internal.format.Utf8Lines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads labelled text, UTF-8, one example per line, in either format:
 *
 * <ul>
 *   <li>fastText: {@code __label__spam win a prize now} (the first {@code __label__} token is the label; any others
 *       are dropped from the text);
 *   <li>TSV: {@code spam<TAB>win a prize now}.
 * </ul>
 *
 * Blank lines are skipped, and so is a byte-order mark at the start. Invalid UTF-8 (always) and lines with no label
 * or no text (unless skipping is asked for) are errors naming the file and the line.
 */
public final class LabeledTextFile {
  private static final String LABEL_PREFIX = "__label__";

  private LabeledTextFile() {}

  /**
   * The examples of a file, with the number of malformed lines skipped.
   *
   * @param examples the well-formed examples
   * @param skippedLines lines left out (only with skipping)
   */
  public record Loaded(List<LabeledText> examples, int skippedLines) {}

  /**
   * Reads {@code file}.
   *
   * @throws TextFormatException for the first malformed line, unless {@code skipBadLines}
   */
  public static Loaded read(Path file, Tokenizer tokenizer, boolean skipBadLines) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file, tokenizer, skipBadLines);
    }
  }

  /**
   * Reads labelled text from a stream (not closed here); {@code file} names it in error messages.
   *
   * @throws TextFormatException for the first malformed line, unless {@code skipBadLines}
   */
  public static Loaded read(InputStream stream, Path file, Tokenizer tokenizer, boolean skipBadLines)
      throws IOException {
    List<LabeledText> out = new ArrayList<>();
    int skipped = 0;
    Utf8Lines lines = new Utf8Lines(stream, (line, what) -> new TextFormatException(file, line, what));
    String line;
    while ((line = lines.next()) != null) {
      int lineNo = Math.toIntExact(lines.lineNumber());
      if (line.isBlank()) {
        continue;
      }
      try {
        out.add(parse(file, lineNo, line, tokenizer));
      } catch (TextFormatException e) {
        if (!skipBadLines) {
          throw e;
        }
        skipped++;
      }
    }
    return new Loaded(out, skipped);
  }

  /** Parses one line (fastText or TSV format). */
  static LabeledText parse(Path file, int lineNo, String line, Tokenizer tokenizer) throws TextFormatException {
    List<String> tokens;
    String label = null;
    if (line.contains(LABEL_PREFIX)) {
      StringBuilder text = new StringBuilder();
      for (String t : Tokenizer.split(line)) {
        if (t.startsWith(LABEL_PREFIX)) {
          if (label == null) {
            label = t.substring(LABEL_PREFIX.length());
          }
        } else {
          text.append(t).append(' ');
        }
      }
      tokens = tokenizer.tokenize(text.toString());
      if (label == null || label.isEmpty()) {
        throw new TextFormatException(file, lineNo, "has an empty __label__");
      }
    } else {
      int tab = line.indexOf('\t');
      if (tab < 0) {
        throw new TextFormatException(
            file, lineNo, "has no label: expected '__label__<label> <text>' or '<label><TAB><text>'");
      }
      label = line.substring(0, tab).strip();
      if (label.isEmpty()) {
        throw new TextFormatException(file, lineNo, "has an empty label before the tab");
      }
      tokens = tokenizer.tokenize(line.substring(tab + 1));
    }
    if (tokens.isEmpty()) {
      throw new TextFormatException(file, lineNo, "has a label ('" + label + "') but no text");
    }
    return new LabeledText(label, tokens, lineNo);
  }
}
