package dev.emb4j.task.text;

import java.nio.charset.StandardCharsets;

/**
 * fastText's hashing, so that word n-grams land in the same buckets as in fastText: FNV-1a (32-bit) over a token's
 * UTF-8 bytes, each byte sign-extended as C++'s {@code char} is, and the word n-gram combination {@code h = h *
 * 116049371 + hash(next word)} in unsigned 64-bit arithmetic, reduced modulo the bucket count.
 */
public final class FastTextHash {
  private static final int FNV_OFFSET = (int) 2166136261L;
  private static final int FNV_PRIME = 16777619;
  private static final long NGRAM_MULTIPLIER = 116049371L;

  private FastTextHash() {}

  /** fastText's {@code Dictionary::hash}: FNV-1a over the UTF-8 bytes, as an unsigned 32-bit value in an int. */
  public static int hash(String token) {
    int h = FNV_OFFSET;
    for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
      h ^= b; // the byte is sign-extended, as fastText's int8 char is
      h *= FNV_PRIME;
    }
    return h;
  }

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
