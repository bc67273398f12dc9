package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatingsTest {
  @TempDir Path dir;

  @Test
  void readsSeparatorsCommentsAndAByteOrderMark() throws Exception {
    Path f = dir.resolve("r.tsv");
    Files.writeString(f, "\uFEFF1\t10\t5\t881250949\n# comment\n\n2,10,3\r\n1 11 4.5\n");
    Ratings r = Ratings.read(f);
    assertArrayEquals(new long[] {1, 2, 1}, r.users());
    assertArrayEquals(new long[] {10, 10, 11}, r.items());
    assertArrayEquals(new float[] {5, 3, 4.5f}, r.values());
  }

  @Test
  void keepsEachRatingsTimestampAndRejectsOneThatIsNotAnInteger() throws Exception {
    Path f = dir.resolve("t.tsv");
    Files.writeString(f, "1\t10\t5\t881250949\n2,10,3\n1 11 4.5 -7\n");
    assertArrayEquals(new long[] {881250949, Ratings.NO_TIMESTAMP, -7}, Ratings.load(f, false).timestamps());
    Path bad = dir.resolve("bad.tsv");
    Files.writeString(bad, "1\t10\t5\t881250949\n2\t10\t3\t12:30\n");
    RatingsFormatException e = assertThrows(RatingsFormatException.class, () -> Ratings.load(bad, false));
    assertEquals(bad + ":2: timestamp '12:30' is not a 64-bit integer", e.getMessage());
    Ratings.Loaded skipped = Ratings.load(bad, true);
    assertEquals(1, skipped.skippedLines());
    assertArrayEquals(new long[] {881250949}, skipped.timestamps());
  }

  @Test
  void invalidUtf8NamesTheFileAndItsLine() throws Exception {
    Path f = dir.resolve("latin1.tsv");
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i < 5000; i++) {
      sb.append(i).append('\t').append(i % 7).append("\t4\n");
    }
    byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = java.util.Arrays.copyOf(head, head.length + 7);
    byte[] bad = {'1', '\t', '2', '\t', '3', (byte) 0xFF, '\n'};
    System.arraycopy(bad, 0, all, head.length, bad.length);
    Files.write(f, all);
    for (boolean skip : new boolean[] {false, true}) {
      RatingsFormatException e = assertThrows(RatingsFormatException.class, () -> Ratings.load(f, skip));
      assertEquals(f + ":5000: is not valid UTF-8 (byte 6 of the line is 0xFF)", e.getMessage());
      assertEquals(5000, e.line());
    }
  }
}
