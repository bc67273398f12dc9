package dev.emb4j.vocab;

import java.nio.charset.StandardCharsets;

/**
 * fastText's token hash: 32-bit FNV-1a over the UTF-8 bytes, exactly as {@code Dictionary::hash} in fastText's {@code
 * src/dictionary.cc}, including its quirk of XOR-ing each byte <em>sign-extended</em> ({@code uint32_t(int8_t(c))}),
 * so bytes of 0x80 and above flip the upper 24 bits too and non-ASCII tokens hash as in fastText.
 *
 * <pre>{@code
 * uint32_t h = 2166136261;
 * for (char c : str) { h = h ^ uint32_t(int8_t(c)); h = h * 16777619; }
 * }</pre>
 */
public final class FastTextHash {
  /** The FNV-1a 32-bit offset basis. */
  static final int OFFSET_BASIS = (int) 2166136261L;

  /** The FNV 32-bit prime. */
  static final int PRIME = 16777619;

  private FastTextHash() {}

  /**
   * The hash of a token.
   *
   * @param token the token
   * @return the 32-bit hash as an int; use {@link Integer#toUnsignedLong} for fastText's unsigned value
   */
  public static int hash(String token) {
    return hash(token.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The hash of UTF-8 bytes.
   *
   * @param bytes the bytes
   * @return the 32-bit hash as an int
   */
  public static int hash(byte[] bytes) {
    int h = OFFSET_BASIS;
    for (byte b : bytes) {
      h ^= b; // a Java byte widens with sign extension, as int8_t -> uint32_t does in fastText
      h *= PRIME;
    }
    return h;
  }

  /**
   * The bucket of a token among {@code buckets}, as fastText computes it: the unsigned hash modulo the count.
   *
   * @param token the token
   * @param buckets the number of buckets, positive
   * @return a bucket in {@code 0 .. buckets - 1}
   */
  public static int bucket(String token, int buckets) {
    if (buckets <= 0) {
      throw new IllegalArgumentException("buckets must be positive, got " + buckets);
    }
    return Integer.remainderUnsigned(hash(token), buckets);
  }
}
