package dev.emb4j.task.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.vocab.FastTextHash;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class WordNgramsTest {

  @Test
  void wordNgramBucketsFollowTheUnsigned64BitRecurrence() {
    int[] hashes = {FastTextHash.hash("free"), FastTextHash.hash("entry"), FastTextHash.hash("now")};
    long buckets = 2_000_000;
    int[] out = new int[8];
    int len = WordNgrams.addWordNgrams(hashes, 3, 3, buckets, 100, out, 0);
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
