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
  void tokenizerSplitsOnFastTextWhitespace() {
    assertEquals(List.of("a,", "b", "c!"), new Tokenizer(false).tokenize(" a,\tb\u000B\fc!\r\n"));
    assertEquals(List.of("abc"), new Tokenizer(true).tokenize("ABC"));
  }
}
