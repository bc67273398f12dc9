package dev.emb4j.task.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into tokens as fastText does: on ASCII white space (space, tab, newline, carriage return, vertical tab,
 * form feed, NUL), keeping punctuation attached. Text is lower-cased first (Locale.ROOT) unless asked not to.
 */
public final class Tokenizer {
  private final boolean lowercase;

  /** A tokenizer that lower-cases when {@code lowercase} is true. */
  public Tokenizer(boolean lowercase) {
    this.lowercase = lowercase;
  }

  /** The tokens of {@code text}, in order. */
  public List<String> tokenize(String text) {
    return split(lowercase ? text.toLowerCase(Locale.ROOT) : text);
  }

  /** Splits on fastText's white space without changing case. */
  public static List<String> split(String t) {
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < t.length(); i++) {
      if (isSpace(t.charAt(i))) {
        if (start >= 0) {
          out.add(t.substring(start, i));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
    }
    if (start >= 0) {
      out.add(t.substring(start));
    }
    return out;
  }

  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f' || c == 0;
  }
}
