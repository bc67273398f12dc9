package dev.emb4j.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  @Test
  void parsesScalars() {
    assertEquals(1.0, Json.parse("1"));
    assertEquals(-0.0, Json.parse("-0"));
    assertEquals(12.5, Json.parse(" 12.5 "));
    assertEquals(-1.25e-3, Json.parse("-1.25E-3"));
    assertEquals(1e10, Json.parse("1e+10"));
    assertEquals(Boolean.TRUE, Json.parse("true"));
    assertEquals(Boolean.FALSE, Json.parse("\tfalse\r\n"));
    assertNull(Json.parse("null"));
    assertEquals("", Json.parse("\"\""));
    assertEquals("NaN", Json.parse("\"NaN\""));
  }

  @Test
  void everyNumberIsADouble() {
    Object v = Json.parse("[0, 7, -3, 2.0, 9007199254740993]");
    List<?> list = assertInstanceOf(List.class, v);
    for (Object o : list) {
      assertInstanceOf(Double.class, o);
    }
    assertEquals(7.0, list.get(1));
  }

  @Test
  void float32ValuesRoundTripExactly() {
    Random r = new Random(1);
    for (int i = 0; i < 10_000; i++) {
      float f = Float.intBitsToFloat(r.nextInt());
      if (!Float.isFinite(f)) {
        continue;
      }
      String text = Json.write(List.of((double) f));
      double back = (Double) ((List<?>) Json.parse(text)).get(0);
      assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits((float) back), text);
      // The shortest float form also comes back as the same float.
      double viaFloat = (Double) Json.parse(Json.write(f));
      assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits((float) viaFloat));
    }
  }

  @Test
  void parsesNestedStructuresKeepingOrder() {
    Object v = Json.parse("{\"b\": [1, {\"x\": null}], \"a\": {}, \"c\": [], \"d\": \"s\"}");
    Map<?, ?> map = assertInstanceOf(LinkedHashMap.class, v);
    assertEquals(List.of("b", "a", "c", "d"), new ArrayList<>(map.keySet()));
    List<?> b = assertInstanceOf(ArrayList.class, map.get("b"));
    assertEquals(1.0, b.get(0));
    Map<?, ?> inner = assertInstanceOf(Map.class, b.get(1));
    assertTrue(inner.containsKey("x"));
    assertNull(inner.get("x"));
    assertEquals(Map.of(), map.get("a"));
    assertEquals(List.of(), map.get("c"));
  }

  @Test
  void decodesEscapes() {
    assertEquals("a\"b\\c/d\b\f\n\r\t", Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""));
    assertEquals("\u00e9\u20ac", Json.parse("\"\\u00e9\\u20AC\""));
    // A surrogate pair written as two escapes.
    assertEquals("\uD83D\uDE00", Json.parse("\"\\ud83d\\ude00\""));
    // Raw non-ASCII passes through.
    assertEquals("caf\u00e9 \uD83D\uDE00", Json.parse("\"caf\u00e9 \uD83D\uDE00\""));
  }

  @Test
  void writesCompactJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "w");
    m.put("shape", List.of(2, 3));
    m.put("ok", true);
    m.put("none", null);
    m.put("x", 1.5);
    m.put("f", 0.1f);
    m.put("l", 1L << 60);
    m.put("arr", new float[] {1f, -2.5f});
    m.put("ints", new int[] {});
    assertEquals(
        "{\"name\":\"w\",\"shape\":[2,3],\"ok\":true,\"none\":null,\"x\":1.5,\"f\":0.1,"
            + "\"l\":1152921504606846976,\"arr\":[1.0,-2.5],\"ints\":[]}",
        Json.write(m));
  }

  @Test
  void writesPrettyJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", List.of(1, 2));
    m.put("b", Map.of());
    m.put("c", List.of());
    assertEquals("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}", Json.writePretty(m));
    assertEquals(Json.parse(Json.write(m)), Json.parse(Json.writePretty(m)));
  }

  @Test
  void escapesStrings() {
    assertEquals("\"a\\\"b\\\\c\"", Json.write("a\"b\\c"));
    assertEquals("\"\\n\\r\\t\\b\\f\"", Json.write("\n\r\t\b\f"));
    assertEquals("\"\\u0000\\u001f\\u007f\"", Json.write("\u0000\u001f\u007f"));
    assertEquals("\"\\u2028\\u2029\"", Json.write("\u2028\u2029"));
    assertEquals("\"/\"", Json.write("/"));
    // Paired surrogates are kept, unpaired ones escaped.
    assertEquals("\"\uD83D\uDE00\"", Json.write("\uD83D\uDE00"));
    assertEquals("\"\\ud83dx\\ude00\"", Json.write("\uD83Dx\uDE00"));
  }

  @Test
  void roundTripsArbitraryStrings() {
    Random r = new Random(7);
    for (int i = 0; i < 2000; i++) {
      char[] cs = new char[r.nextInt(20)];
      for (int k = 0; k < cs.length; k++) {
        cs[k] = (char) (r.nextBoolean() ? r.nextInt(128) : r.nextInt(0x10000));
      }
      String s = new String(cs);
      assertEquals(s, Json.parse(Json.write(s)));
    }
  }

  @Test
  void roundTripsDocuments() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cases", List.of(Map.of("name", "E01", "data", List.of(1.0, -2.0, 0.30000001192092896)), "NaN"));
    m.put("empty", new LinkedHashMap<>());
    m.put("t", Boolean.FALSE);
    assertEquals(m, Json.parse(Json.write(m)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "[1,]",
        "{\"a\":1,}",
        "[1 2]",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "['a']",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "NaN",
        "Infinity",
        "-Infinity",
        "nul",
        "tru",
        "True",
        "\"abc",
        "\"a\\x\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        "\"tab\there\"",
        "[1] 2",
        "{} x",
        "// comment\n1",
        "[1, /* c */ 2]",
        "1e400",
        "{\"a\":1,\"a\":2}",
        "[",
        "{",
        "{\"a\":",
      })
  void rejectsMalformedJsonNamingTheOffset(String text) {
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(text));
    assertTrue(e.getMessage().contains("offset " + e.offset()), e.getMessage());
    assertTrue(e.offset() >= 0 && e.offset() <= text.length(), e.getMessage());
    assertInstanceOf(IllegalArgumentException.class, e);
  }

  @Test
  void errorOffsetsPointAtTheProblem() {
    assertEquals(3, assertThrows(Json.JsonException.class, () -> Json.parse("[1,]")).offset());
    assertEquals(4, assertThrows(Json.JsonException.class, () -> Json.parse("[1, x]")).offset());
    assertEquals(0, assertThrows(Json.JsonException.class, () -> Json.parse("01")).offset());
    assertEquals(8, assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1, \"a\":2}")).offset());
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\n  \"a\": 1\n  \"b\": 2}"));
    assertEquals(13, e.offset());
    assertTrue(e.getMessage().contains("line 3, column 3"), e.getMessage());
    assertTrue(e.getMessage().contains("'\"'"), e.getMessage());
  }

  @Test
  void rejectsTooDeepNesting() {
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    assertInstanceOf(List.class, Json.parse(ok));
    String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(deep));
    assertEquals(Json.MAX_DEPTH, e.offset());
  }

  @Test
  void rejectsUnwritableValues() {
    assertThrows(Json.JsonException.class, () -> Json.write(Double.NaN));
    assertThrows(Json.JsonException.class, () -> Json.write(List.of(Float.POSITIVE_INFINITY)));
    assertThrows(Json.JsonException.class, () -> Json.write(Map.of(1, "x")));
    assertThrows(Json.JsonException.class, () -> Json.write(new Object()));
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.write(cyclic));
    assertEquals(-1, e.offset());
  }

  @Test
  void parsesALargeNumericArrayQuickly() {
    double[] values = new double[200_000];
    Random r = new Random(3);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) r.nextGaussian();
    }
    String text = Json.write(values);
    long t0 = System.nanoTime();
    List<?> back = (List<?>) Json.parse(text);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(values.length, back.size());
    double[] got = back.stream().mapToDouble(o -> (Double) o).toArray();
    assertTrue(Arrays.equals(values, got));
    assertTrue(ms < 10_000, "parse took " + ms + " ms");
  }
}
