package dev.emb4j.task.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledTextFileTest {
  @TempDir Path dir;

  @Test
  void readsFastTextAndTsvLines() throws Exception {
    Path f = dir.resolve("mixed.txt");
    Files.writeString(f, "__label__Spam WIN a\tPrize\n\nham\tsee you  at 5\nfree __label__spam __label__x now\n");
    List<LabeledText> ex = LabeledTextFile.read(f, new Tokenizer(true), false).examples();
    assertEquals(3, ex.size());
    assertEquals(new LabeledText("Spam", List.of("win", "a", "prize"), 1), ex.get(0));
    assertEquals(new LabeledText("ham", List.of("see", "you", "at", "5"), 3), ex.get(1));
    assertEquals(new LabeledText("spam", List.of("free", "now"), 4), ex.get(2));
  }

  @Test
  void malformedLinesNameFileAndLine() throws Exception {
    Path f = dir.resolve("bad.txt");
    Files.writeString(f, "ham\tok\nno label here\n__label__spam\n");
    TextFormatException e =
        assertThrows(TextFormatException.class, () -> LabeledTextFile.read(f, new Tokenizer(true), false));
    assertTrue(e.getMessage().startsWith(f + ":2: has no label"), e.getMessage());
    LabeledTextFile.Loaded skipped = LabeledTextFile.read(f, new Tokenizer(true), true);
    assertEquals(1, skipped.examples().size());
    assertEquals(2, skipped.skippedLines());
  }

  @Test
  void invalidUtf8IsReported() throws Exception {
    Path f = dir.resolve("latin1.txt");
    Files.write(f, new byte[] {'h', 'a', 'm', '\t', 'c', 'a', 'f', (byte) 0xE9, '\n'});
    TextFormatException e =
        assertThrows(TextFormatException.class, () -> LabeledTextFile.read(f, new Tokenizer(true), false));
    assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
  }

  @Test
  void invalidUtf8IsReportedAtItsTrueLine() throws Exception {
    // BufferedReader decodes ahead of the line it returns: a bad byte on line 3000 was reported at 2943.
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i < 3000; i++) {
      sb.append("__label__ham line number ").append(i).append('\n');
    }
    byte[] head = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] bad = {'s', 'p', 'a', 'm', '\t', 'c', 'a', 'f', (byte) 0xE9, '\n', 'h', 'a', 'm', '\t', 'x', '\n'};
    byte[] all = java.util.Arrays.copyOf(head, head.length + bad.length);
    System.arraycopy(bad, 0, all, head.length, bad.length);
    Path f = dir.resolve("late.txt");
    Files.write(f, all);
    for (boolean skip : new boolean[] {false, true}) {
      TextFormatException e =
          assertThrows(TextFormatException.class, () -> LabeledTextFile.read(f, new Tokenizer(true), skip));
      assertEquals(f + ":3000: is not valid UTF-8 (byte 9 of the line is 0xE9)", e.getMessage());
    }
  }

  @Test
  void aByteOrderMarkIsNotPartOfTheFirstLabel() throws Exception {
    Path f = dir.resolve("bom.txt");
    Files.writeString(f, "\uFEFF__label__ham hello\n\uFEFFspam\tnot at the start: kept\n");
    List<LabeledText> ex = LabeledTextFile.read(f, new Tokenizer(false), false).examples();
    assertEquals("ham", ex.get(0).label());
    assertEquals("\uFEFFspam", ex.get(1).label());
    Path tsv = dir.resolve("bom.tsv");
    Files.writeString(tsv, "\uFEFFham\thello\r\n");
    assertEquals(
        List.of(new LabeledText("ham", List.of("hello"), 1)),
        LabeledTextFile.read(tsv, new Tokenizer(false), false).examples());
  }

  @Test
  void tokenizerSplitsOnFastTextWhitespace() {
    assertEquals(List.of("a,", "b", "c!"), new Tokenizer(false).tokenize(" a,\tb\u000B\fc!\r\n"));
    assertEquals(List.of("abc"), new Tokenizer(true).tokenize("ABC"));
  }
}
