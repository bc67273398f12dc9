package dev.emb4j.task.text;

/**
 * fastText's word n-gram buckets, so that n-grams land where fastText puts them: starting from a token's hash
 * ({@link dev.emb4j.vocab.FastTextHash}), {@code h = h * 116049371 + hash(next word)} in unsigned 64-bit arithmetic,
 * reduced modulo the bucket count.
 */
public final class WordNgrams {
  private static final long NGRAM_MULTIPLIER = 116049371L;

  private WordNgrams() {}

  /**
   * The buckets of the word n-grams (n = 2 .. maxN) of a line whose token hashes are {@code hashes}, appended to
   * {@code out} as {@code offset + bucket}; returns the new length of {@code out}.
   */
  public static int addWordNgrams(int[] hashes, int count, int maxN, long buckets, int offset, int[] out, int len) {
    if (buckets <= 0) {
      return len;
    }
    for (int i = 0; i < count; i++) {
      long h = hashes[i]; // sign-extended to 64 bits, as fastText's int32 -> uint64 conversion
      for (int j = i + 1; j < count && j < i + maxN; j++) {
        h = h * NGRAM_MULTIPLIER + hashes[j];
        out[len++] = offset + (int) Long.remainderUnsigned(h, buckets);
      }
    }
    return len;
  }
}
