package dev.emb4j.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Utf8LinesTest {

  private static Utf8Lines of(byte[] bytes) {
    return new Utf8Lines(new ByteArrayInputStream(bytes), (line, what) -> new IOException("line " + line + ": " + what));
  }

  private static List<String> all(Utf8Lines lines) throws IOException {
    List<String> out = new ArrayList<>();
    for (String s; (s = lines.next()) != null; ) {
      out.add(s);
    }
    return out;
  }

  @Test
  void splitsAtNewlinesAndDropsCarriageReturns() throws IOException {
    assertEquals(List.of("a", "", "b c", "d"), all(of("a\n\r\nb c\r\nd".getBytes(StandardCharsets.UTF_8))));
    assertEquals(List.of("a"), all(of("a\n".getBytes(StandardCharsets.UTF_8))));
    assertEquals(List.of(), all(of(new byte[0])));
  }

  @Test
  void skipsAByteOrderMarkAtTheStartOnly() throws IOException {
    Utf8Lines lines = of("\uFEFFfirst\n\uFEFFsecond\n".getBytes(StandardCharsets.UTF_8));
    assertEquals("first", lines.next());
    assertEquals("\uFEFFsecond", lines.next());
    assertNull(lines.next());
    assertEquals(List.of(""), all(of("\uFEFF".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void aRealReplacementCharacterIsValid() throws IOException {
    assertEquals(List.of("a\uFFFDb"), all(of("a\uFFFDb".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void invalidUtf8NamesItsLineAndByte() {
    byte[] bytes = {'o', 'k', '\n', 'x', (byte) 0xC3, '(', '\n'};
    IOException e = assertThrows(IOException.class, () -> all(of(bytes)));
    assertEquals("line 2: is not valid UTF-8 (byte 2 of the line is 0xC3)", e.getMessage());
    byte[] cut = {'a', '\n', 'b', (byte) 0xE2, (byte) 0x82};
    assertEquals(
        "line 2: is not valid UTF-8 (byte 2 of the line is 0xE2)",
        assertThrows(IOException.class, () -> all(of(cut))).getMessage());
  }

  @Test
  void linesLongerThanTheBufferAndReadsOfOneByteAtATime() throws IOException {
    String longLine = "é".repeat(100_000);
    byte[] bytes = (longLine + "\nz\n").getBytes(StandardCharsets.UTF_8);
    InputStream trickle =
        new ByteArrayInputStream(bytes) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
          }
        };
    Utf8Lines lines = new Utf8Lines(trickle, (line, what) -> new IOException(what));
    assertEquals(longLine, lines.next());
    assertEquals(1, lines.lineNumber());
    assertEquals("z", lines.next());
    assertEquals(2, lines.lineNumber());
    assertNull(lines.next());
  }
}
