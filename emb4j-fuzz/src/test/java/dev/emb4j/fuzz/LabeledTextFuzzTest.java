package dev.emb4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.task.text.LabeledText;
import dev.emb4j.task.text.LabeledTextFile;
import dev.emb4j.task.text.TextFormatException;
import dev.emb4j.task.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The labelled-text reader of {@code classify}: a file reads, or is rejected with {@link TextFormatException}; with
 * skipping, only invalid UTF-8 is rejected, and every example read has a label and some text.
 */
class LabeledTextFuzzTest {
  @Fuzz
  void labeledText(byte[] data) throws IOException {
    Path in = Contracts.file("in.txt", data);
    try {
      LabeledTextFile.read(in, new Tokenizer(true), false);
    } catch (TextFormatException expected) {
      // rejected cleanly
    }
    LabeledTextFile.Loaded skipping;
    try {
      skipping = LabeledTextFile.read(in, new Tokenizer(false), true);
    } catch (TextFormatException e) {
      assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
      return;
    }
    for (LabeledText t : skipping.examples()) {
      assertTrue(!t.label().isEmpty() && !t.tokens().isEmpty() && t.line() >= 1, t.toString());
    }
  }
}
