package dev.emb4j.task.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words a text classifier knows: those seen at least {@code minCount} times in training, numbered by falling
 * frequency (ties in order of first appearance), so ids are reproducible.
 */
final class WordIndex {
  private final List<String> words;
  private final Map<String, Integer> ids;

  WordIndex(List<String> words) {
    this.words = List.copyOf(words);
    this.ids = new HashMap<>(words.size() * 2);
    for (int i = 0; i < words.size(); i++) {
      if (ids.put(words.get(i), i) != null) {
        throw new IllegalArgumentException("duplicate word '" + words.get(i) + "' in the vocabulary");
      }
    }
  }

  /** Counts the tokens (plus one end-of-sentence token per text) and keeps those with count >= minCount. */
  static WordIndex build(List<LabeledText> examples, int minCount) {
    Map<String, int[]> counts = new HashMap<>();
    List<String> order = new ArrayList<>();
    for (LabeledText ex : examples) {
      for (String t : ex.tokens()) {
        count(counts, order, t);
      }
      count(counts, order, TextClassifier.EOS);
    }
    List<String> kept = new ArrayList<>();
    for (String w : order) {
      if (counts.get(w)[0] >= minCount) {
        kept.add(w);
      }
    }
    // Stable sort: equal counts keep their first-appearance order.
    kept.sort((a, b) -> Integer.compare(counts.get(b)[0], counts.get(a)[0]));
    return new WordIndex(kept);
  }

  private static void count(Map<String, int[]> counts, List<String> order, String t) {
    int[] c = counts.get(t);
    if (c == null) {
      counts.put(t, new int[] {1});
      order.add(t);
    } else {
      c[0]++;
    }
  }

  /** The id of {@code word}, or -1. */
  int id(String word) {
    Integer i = ids.get(word);
    return i == null ? -1 : i;
  }

  String word(int id) {
    return words.get(id);
  }

  int size() {
    return words.size();
  }

  List<String> words() {
    return words;
  }
}
