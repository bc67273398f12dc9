package dev.emb4j.task.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FastTextHashTest {

  @Test
  void asciiTokensHashAsStandardFnv1a() {
    assertEquals(0x811C9DC5, FastTextHash.hash(""));
    assertEquals(0xE40C292C, FastTextHash.hash("a"));
    assertEquals(0xBF9CF968, FastTextHash.hash("foobar"));
  }

  @Test
  void nonAsciiBytesAreSignExtendedAsFastTextDoes() {
    // fastText XORs each byte as a signed char: 0xC3 becomes 0xFFFFFFC3 before the XOR.
    String token = "é";
    int h = 0x811C9DC5;
    for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (0xFFFFFF00 | (b & 0xFF))) * 16777619;
    }
    assertEquals(h, FastTextHash.hash(token));
  }

  @Test
  void wordNgramBucketsFollowTheUnsigned64BitRecurrence() {
    int[] hashes = {FastTextHash.hash("free"), FastTextHash.hash("entry"), FastTextHash.hash("now")};
    long buckets = 2_000_000;
    int[] out = new int[8];
    int len = FastTextHash.addWordNgrams(hashes, 3, 3, buckets, 100, out, 0);
    assertEquals(3, len, "bigrams (free entry), (entry now) and the trigram (free entry now)");
    BigInteger mod = BigInteger.ONE.shiftLeft(64);
    BigInteger m = BigInteger.valueOf(116049371);
    BigInteger h = BigInteger.valueOf(hashes[0]).mod(mod); // int32 sign-extended into uint64
    h = h.multiply(m).add(BigInteger.valueOf(hashes[1])).mod(mod);
    assertEquals(100 + h.mod(BigInteger.valueOf(buckets)).intValue(), out[0]);
    h = h.multiply(m).add(BigInteger.valueOf(hashes[2])).mod(mod);
    assertEquals(100 + h.mod(BigInteger.valueOf(buckets)).intValue(), out[1]);
  }
}
