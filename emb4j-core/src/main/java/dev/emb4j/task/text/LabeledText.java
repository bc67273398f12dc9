package dev.emb4j.task.text;

import java.util.List;

/**
 * One training or test example: a label and the tokens of its text.
 *
 * @param label the class label, without fastText's {@code __label__} prefix
 * @param tokens the text's tokens
 * @param line the 1-based line of the file it came from (0 if not from a file)
 */
public record LabeledText(String label, List<String> tokens, int line) {}
