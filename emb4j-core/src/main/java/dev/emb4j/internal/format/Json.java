package dev.emb4j.internal.format;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict, dependency-free JSON (RFC 8259) reader and writer.
 *
 * <p>{@link #parse(String)} maps JSON onto plain Java objects:
 *
 * <table>
 *   <caption>JSON to Java</caption>
 *   <tr><th>JSON</th><th>Java</th></tr>
 *   <tr><td>object</td><td>{@link LinkedHashMap}{@code <String, Object>} (member order kept)</td></tr>
 *   <tr><td>array</td><td>{@link ArrayList}{@code <Object>}</td></tr>
 *   <tr><td>number</td><td>{@link Double} (every number, integers included)</td></tr>
 *   <tr><td>string</td><td>{@link String}</td></tr>
 *   <tr><td>{@code true} / {@code false}</td><td>{@link Boolean}</td></tr>
 *   <tr><td>{@code null}</td><td>{@code null}</td></tr>
 * </table>
 *
 * <p>The reader is strict: no comments, no trailing commas, no single quotes, no leading zeros, no {@code NaN} or
 * {@code Infinity} literals (write such values as strings, e.g. {@code "NaN"}), no unescaped control characters in
 * strings, no duplicate member names, no numbers that overflow a double, no content after the value, and nesting at
 * most {@value #MAX_DEPTH} levels deep. Every error is a {@link JsonException} whose message names the character
 * offset (and line and column) where the problem was found.
 *
 * <p>Integers are returned as {@link Double}, so integers beyond 2<sup>53</sup> in magnitude lose precision.
 *
 * <pre>{@code
 * Map<?, ?> doc = (Map<?, ?>) Json.parse("{\"shape\": [2, 3], \"name\": \"w\"}");
 * String text = Json.write(Map.of("ok", true));   // {"ok":true}
 * }</pre>
 */
public final class Json {

  /** The deepest nesting of arrays and objects that {@link #parse} and {@link #write} accept. */
  public static final int MAX_DEPTH = 512;

  private Json() {}

  /**
   * A malformed JSON text (from {@link #parse}) or a value that cannot be written as JSON (from {@link #write}). For
   * parse errors, {@link #offset()} is the 0-based character offset in the input, which the message also names.
   */
  public static final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int offset;

    JsonException(String message, int offset) {
      super(message);
      this.offset = offset;
    }

    /**
     * The 0-based character offset in the parsed text where the error was found, or -1 for an error while writing.
     *
     * @return the offset, or -1
     */
    public int offset() {
      return offset;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Parses a complete JSON text.
   *
   * @param text the JSON text; leading and trailing whitespace is allowed, anything else after the value is not
   * @return a {@link LinkedHashMap}, {@link ArrayList}, {@link Double}, {@link String}, {@link Boolean} or {@code null}
   * @throws JsonException if the text is not valid JSON (the message names the offset)
   * @throws NullPointerException if {@code text} is null
   */
  public static Object parse(String text) {
    if (text == null) {
      throw new NullPointerException("text");
    }
    Reader r = new Reader(text);
    r.skipWhitespace();
    Object value = r.readValue(0);
    r.skipWhitespace();
    if (r.pos < text.length()) {
      throw r.error("unexpected " + r.describeCurrent() + " after the JSON value");
    }
    return value;
  }

  private static final class Reader {
    private final String s;
    private int pos;

    Reader(String s) {
      this.s = s;
    }

    JsonException error(String what) {
      return errorAt(what, pos);
    }

    JsonException errorAt(String what, int at) {
      int line = 1;
      int col = 1;
      for (int i = 0; i < at && i < s.length(); i++) {
        if (s.charAt(i) == '\n') {
          line++;
          col = 1;
        } else {
          col++;
        }
      }
      return new JsonException(
          "JSON error at offset " + at + " (line " + line + ", column " + col + "): " + what, at);
    }

    String describeCurrent() {
      if (pos >= s.length()) {
        return "end of input";
      }
      return describe(s.charAt(pos));
    }

    static String describe(char c) {
      if (c < 0x20 || c == 0x7f) {
        return String.format("control character U+%04X", (int) c);
      }
      return "'" + c + "'";
    }

    void skipWhitespace() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          pos++;
        } else {
          break;
        }
      }
    }

    Object readValue(int depth) {
      if (pos >= s.length()) {
        throw error("expected a value but found end of input");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return readObject(depth + 1);
        case '[':
          return readArray(depth + 1);
        case '"':
          return readString();
        case 't':
          readLiteral("true");
          return Boolean.TRUE;
        case 'f':
          readLiteral("false");
          return Boolean.FALSE;
        case 'n':
          readLiteral("null");
          return null;
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return readNumber();
          }
          throw error("expected a value but found " + describe(c));
      }
    }

    void readLiteral(String word) {
      if (!s.startsWith(word, pos)) {
        throw error("invalid literal (expected '" + word + "')");
      }
      pos += word.length();
    }

    void checkDepth(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("nesting deeper than " + MAX_DEPTH + " levels");
      }
    }

    Map<String, Object> readObject(int depth) {
      checkDepth(depth);
      pos++; // '{'
      LinkedHashMap<String, Object> map = new LinkedHashMap<>();
      skipWhitespace();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return map;
      }
      while (true) {
        skipWhitespace();
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw error("expected a member name (a string) but found " + describeCurrent());
        }
        int keyAt = pos;
        String key = readString();
        if (map.containsKey(key)) {
          throw errorAt("duplicate member name \"" + key + "\"", keyAt);
        }
        skipWhitespace();
        if (pos >= s.length() || s.charAt(pos) != ':') {
          throw error("expected ':' after a member name but found " + describeCurrent());
        }
        pos++;
        skipWhitespace();
        map.put(key, readValue(depth));
        skipWhitespace();
        if (pos >= s.length()) {
          throw error("expected ',' or '}' but found end of input");
        }
        char c = s.charAt(pos);
        if (c == ',') {
          pos++;
        } else if (c == '}') {
          pos++;
          return map;
        } else {
          throw error("expected ',' or '}' but found " + describe(c));
        }
      }
    }

    List<Object> readArray(int depth) {
      checkDepth(depth);
      pos++; // '['
      ArrayList<Object> list = new ArrayList<>();
      skipWhitespace();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return list;
      }
      while (true) {
        skipWhitespace();
        list.add(readValue(depth));
        skipWhitespace();
        if (pos >= s.length()) {
          throw error("expected ',' or ']' but found end of input");
        }
        char c = s.charAt(pos);
        if (c == ',') {
          pos++;
        } else if (c == ']') {
          pos++;
          return list;
        } else {
          throw error("expected ',' or ']' but found " + describe(c));
        }
      }
    }

    String readString() {
      int start = pos;
      pos++; // opening quote
      // Fast path: no escapes.
      int i = pos;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '"') {
          String out = s.substring(pos, i);
          pos = i + 1;
          return out;
        }
        if (c == '\\' || c < 0x20) {
          break;
        }
        i++;
      }
      StringBuilder sb = new StringBuilder(Math.max(16, i - pos + 16));
      sb.append(s, pos, i);
      pos = i;
      while (true) {
        if (pos >= s.length()) {
          throw errorAt("unterminated string", start);
        }
        char c = s.charAt(pos);
        if (c == '"') {
          pos++;
          return sb.toString();
        }
        if (c < 0x20) {
          throw error("unescaped " + describe(c) + " in a string");
        }
        if (c != '\\') {
          sb.append(c);
          pos++;
          continue;
        }
        if (pos + 1 >= s.length()) {
          throw errorAt("unterminated string", start);
        }
        char e = s.charAt(pos + 1);
        switch (e) {
          case '"' -> sb.append('"');
          case '\\' -> sb.append('\\');
          case '/' -> sb.append('/');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 6 > s.length()) {
              throw error("incomplete \\u escape");
            }
            int v = 0;
            for (int k = pos + 2; k < pos + 6; k++) {
              int d = Character.digit(s.charAt(k), 16);
              if (d < 0) {
                throw errorAt("invalid hex digit " + describe(s.charAt(k)) + " in a \\u escape", k);
              }
              v = v * 16 + d;
            }
            sb.append((char) v);
            pos += 4;
          }
          default -> throw error("invalid escape '\\" + e + "'");
        }
        pos += 2;
      }
    }

    Double readNumber() {
      int start = pos;
      if (s.charAt(pos) == '-') {
        pos++;
      }
      if (pos >= s.length()) {
        throw error("expected a digit but found end of input");
      }
      char c = s.charAt(pos);
      if (c == '0') {
        pos++;
        if (pos < s.length() && isDigit(s.charAt(pos))) {
          throw errorAt("leading zeros are not allowed in numbers", start);
        }
      } else if (c >= '1' && c <= '9') {
        while (pos < s.length() && isDigit(s.charAt(pos))) {
          pos++;
        }
      } else {
        throw error("expected a digit but found " + describe(c));
      }
      if (pos < s.length() && s.charAt(pos) == '.') {
        pos++;
        int digits = pos;
        while (pos < s.length() && isDigit(s.charAt(pos))) {
          pos++;
        }
        if (pos == digits) {
          throw error("expected a digit after the decimal point but found " + describeCurrent());
        }
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        int digits = pos;
        while (pos < s.length() && isDigit(s.charAt(pos))) {
          pos++;
        }
        if (pos == digits) {
          throw error("expected a digit in the exponent but found " + describeCurrent());
        }
      }
      String token = s.substring(start, pos);
      double v = Double.parseDouble(token);
      if (Double.isInfinite(v)) {
        throw errorAt("number " + token + " is out of the range of a double", start);
      }
      return v;
    }

    static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Writing
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Writes a value as compact JSON (no whitespace).
   *
   * <p>Accepted values: {@link Map} (keys must be strings; iteration order is kept), {@link Iterable} and Java
   * arrays (including primitive arrays), {@link Number}, {@link String} (and other {@link CharSequence}s), {@link
   * Character}, {@link Boolean} and {@code null}. Strings are escaped as RFC 8259 requires ({@code "}, {@code \},
   * control characters, U+2028/U+2029; unpaired surrogates as hexadecimal escapes). Floating-point values are written in their
   * shortest round-trip form ({@link Double#toString} / {@link Float#toString}); integral values of integer types
   * without a fraction.
   *
   * @param value the value to write
   * @return the JSON text
   * @throws JsonException if the value holds a NaN or infinite number, a non-string map key, an unsupported type, or
   *     nests deeper than {@value #MAX_DEPTH} levels (e.g. a cycle)
   */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    new Writer(sb, null).write(value, 0);
    return sb.toString();
  }

  /**
   * Writes a value as indented JSON (two spaces per level, one member or element per line), for files meant to be
   * read by people. Accepts the same values as {@link #write(Object)}.
   *
   * @param value the value to write
   * @return the JSON text, without a trailing newline
   * @throws JsonException under the same conditions as {@link #write(Object)}
   */
  public static String writePretty(Object value) {
    StringBuilder sb = new StringBuilder();
    new Writer(sb, "  ").write(value, 0);
    return sb.toString();
  }

  /**
   * Appends {@code s} to {@code out} as a quoted, escaped JSON string.
   *
   * @param out where to append
   * @param s the string
   */
  public static void quote(StringBuilder out, CharSequence s) {
    out.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            hex(out, c);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
              out.append(c).append(s.charAt(i + 1));
              i++;
            } else {
              hex(out, c);
            }
          } else if (Character.isLowSurrogate(c)) {
            hex(out, c);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void hex(StringBuilder out, char c) {
    out.append(String.format("\\u%04x", (int) c));
  }

  private static final class Writer {
    private final StringBuilder sb;
    private final String indent;

    Writer(StringBuilder sb, String indent) {
      this.sb = sb;
      this.indent = indent;
    }

    void newline(int depth) {
      if (indent != null) {
        sb.append('\n');
        for (int i = 0; i < depth; i++) {
          sb.append(indent);
        }
      }
    }

    void write(Object v, int depth) {
      if (depth > MAX_DEPTH) {
        throw new JsonException(
            "cannot write JSON: nesting deeper than " + MAX_DEPTH + " levels (is the value cyclic?)", -1);
      }
      if (v == null) {
        sb.append("null");
      } else if (v instanceof Boolean b) {
        sb.append(b.booleanValue());
      } else if (v instanceof CharSequence cs) {
        quote(sb, cs);
      } else if (v instanceof Character ch) {
        quote(sb, String.valueOf(ch.charValue()));
      } else if (v instanceof Number num) {
        writeNumber(num);
      } else if (v instanceof Map<?, ?> map) {
        writeMap(map, depth);
      } else if (v instanceof Iterable<?> it) {
        writeIterable(it.iterator(), depth);
      } else if (v.getClass().isArray()) {
        writeArray(v, depth);
      } else {
        throw new JsonException(
            "cannot write a " + v.getClass().getName() + " as JSON (supported: Map, Iterable, arrays, Number, "
                + "String, Boolean, null)",
            -1);
      }
    }

    void writeNumber(Number num) {
      if (num instanceof Double || num instanceof Float) {
        double d = num.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new JsonException("cannot write " + num + " as a JSON number (write it as a string)", -1);
        }
        sb.append(num instanceof Float f ? Float.toString(f) : Double.toString(d));
      } else if (num instanceof Integer
          || num instanceof Long
          || num instanceof Short
          || num instanceof Byte
          || num instanceof BigInteger) {
        sb.append(num.toString());
      } else if (num instanceof BigDecimal bd) {
        sb.append(bd.toString());
      } else {
        double d = num.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new JsonException("cannot write " + num + " as a JSON number (write it as a string)", -1);
        }
        sb.append(Double.toString(d));
      }
    }

    void writeMap(Map<?, ?> map, int depth) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new JsonException(
              "cannot write a map key of type "
                  + (e.getKey() == null ? "null" : e.getKey().getClass().getName())
                  + " as JSON (keys must be strings)",
              -1);
        }
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(depth + 1);
        quote(sb, key);
        sb.append(indent != null ? ": " : ":");
        write(e.getValue(), depth + 1);
      }
      if (!first) {
        newline(depth);
      }
      sb.append('}');
    }

    void writeIterable(Iterator<?> it, int depth) {
      sb.append('[');
      boolean first = true;
      while (it.hasNext()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(depth + 1);
        write(it.next(), depth + 1);
      }
      if (!first) {
        newline(depth);
      }
      sb.append(']');
    }

    void writeArray(Object array, int depth) {
      int n = Array.getLength(array);
      sb.append('[');
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          sb.append(',');
        }
        newline(depth + 1);
        write(Array.get(array, i), depth + 1);
      }
      if (n > 0) {
        newline(depth);
      }
      sb.append(']');
    }
  }
}
