package dev.emb4j.vocab;

import dev.emb4j.internal.format.AtomicOutput;
import dev.emb4j.internal.format.Container;
import dev.emb4j.internal.format.ContainerReader;
import dev.emb4j.internal.format.Json;
import dev.emb4j.internal.format.Utf8Lines;
import dev.emb4j.tensor.IndexTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Tokens and their ids: the link between text and the rows of an embedding table, which knows only ids.
 *
 * <pre>{@code
 * Vocabulary vocab = Vocabulary.builder().padding("<pad>").unknown("<unk>").minCount(2).oov(OovPolicy.UNKNOWN)
 *     .addAll(corpusTokens).build();           // <pad> = 0, <unk> = 1, then by falling frequency
 * IndexTensor ids = vocab.encode(List.of("the", "cat", "zyzzyva"));   // zyzzyva -> 1 (<unk>)
 * }</pre>
 *
 * <p>Ids {@code 0 .. size() - 1} are the tokens; special tokens come first (padding, then unknown). With {@link
 * OovPolicy#HASH}, ids {@code size() .. size() + hashBuckets() - 1} are the hash buckets, so a table for this
 * vocabulary has {@link #tableRows()} rows. Immutable and safe to share between threads.
 */
public final class Vocabulary {
  private static final String FORMAT = "emb4j-vocabulary";
  private static final byte[] MAGIC = Container.magic("EMB4JVOC");
  /** The version {@link #save} writes; {@link #load} reads it and version 1. */
  private static final int VERSION = 2;
  private static final int MAX_HEADER_BYTES = 1 << 24;
  private static final int MAX_TOKEN_BYTES = 1 << 20;

  private final List<String> tokens;
  private final Map<String, Integer> index;
  private final String padding;
  private final String unknown;
  private final OovPolicy oov;
  private final int hashBuckets;

  Vocabulary(List<String> tokens, String padding, String unknown, OovPolicy oov, int hashBuckets) {
    Objects.requireNonNull(oov, "oov");
    this.tokens = List.copyOf(tokens);
    this.index = new HashMap<>(this.tokens.size() * 2);
    for (int i = 0; i < this.tokens.size(); i++) {
      String t = this.tokens.get(i);
      if (t.isEmpty()) {
        throw new IllegalArgumentException("token " + i + " is empty");
      }
      Integer prev = index.putIfAbsent(t, i);
      if (prev != null) {
        throw new IllegalArgumentException("duplicate token '" + t + "' at ids " + prev + " and " + i);
      }
    }
    int expected = 0;
    if (padding != null && !Objects.equals(index.get(padding), expected++)) {
      throw new IllegalArgumentException("the padding token '" + padding + "' must have id 0, has " + index.get(padding));
    }
    if (unknown != null && !Objects.equals(index.get(unknown), expected)) {
      throw new IllegalArgumentException("the unknown token '" + unknown + "' must have id " + expected + ", has " + index.get(unknown));
    }
    if (oov == OovPolicy.UNKNOWN && unknown == null) {
      throw new IllegalArgumentException("policy UNKNOWN needs an unknown token");
    }
    if ((oov == OovPolicy.HASH) != (hashBuckets > 0) || hashBuckets < 0) {
      throw new IllegalArgumentException(
          "policy HASH needs hashBuckets > 0, and other policies 0; got " + oov + " with " + hashBuckets + " buckets");
    }
    if ((long) this.tokens.size() + hashBuckets > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(this.tokens.size() + " tokens + " + hashBuckets + " buckets exceed 2^31 - 1 ids");
    }
    this.padding = padding;
    this.unknown = unknown;
    this.oov = oov;
    this.hashBuckets = hashBuckets;
  }

  /**
   * A builder that counts a corpus.
   *
   * @return a new builder
   */
  public static VocabularyBuilder builder() {
    return new VocabularyBuilder();
  }

  /**
   * The tokens in the given order (ids 0, 1, ...), without special tokens, with policy {@link OovPolicy#ERROR}.
   *
   * @param tokens distinct, non-empty tokens
   * @return the vocabulary
   * @throws IllegalArgumentException if a token is empty or repeated
   */
  public static Vocabulary of(List<String> tokens) {
    return new Vocabulary(tokens, null, null, OovPolicy.ERROR, 0);
  }

  /**
   * This vocabulary with another out-of-vocabulary policy.
   *
   * @param policy the policy
   * @param buckets the number of hash buckets: positive for {@link OovPolicy#HASH}, 0 otherwise
   * @return a new vocabulary with the same tokens
   * @throws IllegalArgumentException if the policy needs what this vocabulary lacks (an unknown token, buckets)
   */
  public Vocabulary withOov(OovPolicy policy, int buckets) {
    return new Vocabulary(tokens, padding, unknown, policy, buckets);
  }

  /**
   * The number of tokens, special tokens included (hash buckets excluded).
   *
   * @return the token count
   */
  public int size() {
    return tokens.size();
  }

  /**
   * The number of rows a table for this vocabulary needs: the tokens plus the hash buckets.
   *
   * @return {@code size() + hashBuckets()}
   */
  public int tableRows() {
    return tokens.size() + hashBuckets;
  }

  /**
   * The id of a token, applying the out-of-vocabulary policy to unknown ones.
   *
   * @param token the token
   * @return its id, the unknown id, or a hash bucket's id
   * @throws OutOfVocabularyException if the token is unknown and the policy is {@link OovPolicy#ERROR}
   */
  public int id(String token) {
    Integer id = index.get(Objects.requireNonNull(token, "token"));
    if (id != null) {
      return id;
    }
    return switch (oov) {
      case ERROR -> throw new OutOfVocabularyException(token, tokens.size());
      case UNKNOWN -> index.get(unknown);
      case HASH -> tokens.size() + FastTextHash.bucket(token, hashBuckets);
    };
  }

  /**
   * The id of a token held by this vocabulary, ignoring the policy.
   *
   * @param token the token
   * @return its id, or empty when it is not held
   */
  public OptionalInt find(String token) {
    Integer id = index.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /**
   * Whether the vocabulary holds a token.
   *
   * @param token the token
   * @return true if it has an id of its own
   */
  public boolean contains(String token) {
    return index.containsKey(token);
  }

  /**
   * The token of an id.
   *
   * @param id an id in {@code 0 .. size() - 1}
   * @return its token
   * @throws IndexOutOfBoundsException if the id is not a token's (hash buckets have no token)
   */
  public String token(int id) {
    if (id < 0 || id >= tokens.size()) {
      throw new IndexOutOfBoundsException(
          "id " + id + " is not a token id of this vocabulary (valid 0.." + (tokens.size() - 1)
              + (hashBuckets > 0 ? "; " + tokens.size() + ".." + (tableRows() - 1) + " are hash buckets" : "") + ")");
    }
    return tokens.get(id);
  }

  /**
   * All tokens by id.
   *
   * @return an unmodifiable list
   */
  public List<String> tokens() {
    return tokens;
  }

  /**
   * The ids of a sequence of tokens, as an int32 tensor for a table lookup.
   *
   * @param sequence the tokens
   * @return a 1-D tensor of their ids
   * @throws OutOfVocabularyException if a token is unknown and the policy is {@link OovPolicy#ERROR}
   */
  public IndexTensor encode(List<String> sequence) {
    int[] ids = new int[sequence.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = id(sequence.get(i));
    }
    return IndexTensor.of(ids);
  }

  /**
   * The padding token's id.
   *
   * @return 0, or empty when there is no padding token
   */
  public OptionalInt paddingId() {
    return padding == null ? OptionalInt.empty() : OptionalInt.of(0);
  }

  /**
   * The unknown token's id.
   *
   * @return its id (0 or 1), or empty when there is no unknown token
   */
  public OptionalInt unknownId() {
    return unknown == null ? OptionalInt.empty() : OptionalInt.of(index.get(unknown));
  }

  /**
   * The padding token.
   *
   * @return it, or null
   */
  public String paddingToken() {
    return padding;
  }

  /**
   * The unknown token.
   *
   * @return it, or null
   */
  public String unknownToken() {
    return unknown;
  }

  /**
   * The out-of-vocabulary policy.
   *
   * @return the policy
   */
  public OovPolicy oovPolicy() {
    return oov;
  }

  /**
   * The number of hash buckets after the tokens.
   *
   * @return positive with {@link OovPolicy#HASH}, otherwise 0
   */
  public int hashBuckets() {
    return hashBuckets;
  }

  /**
   * Saves the vocabulary, atomically (a temporary file renamed over the target), in the emb4j container (version 2 of
   * the vocabulary format; all integers little-endian):
   *
   * <pre>
   * offset    size   field
   * 0         8      magic: the ASCII bytes "EMB4JVOC"
   * 8         4      format version: int32, 2
   * 12        4      H: header length in bytes, int32
   * 16        H      header: a JSON object in UTF-8, padded with spaces to a multiple of 64 bytes, e.g.
   *                  {"format":"emb4j-vocabulary","size":3,"padding":"&lt;pad&gt;","unknown":"&lt;unk&gt;",
   *                   "oov":"UNKNOWN","hash_buckets":0,"checksum":"crc32c"}
   * 16 + H    ...    the tokens in id order, each an int32 byte length then that many bytes of UTF-8
   * E         4      CRC32C of bytes [0, E)
   * </pre>
   *
   * <p>{@link #load} also reads version 1, UTF-8 text: that header (with {@code "version":1}) on the first line, then
   * one JSON string per token.
   *
   * @param file the target
   * @throws IOException if it cannot be written (no partial file is left)
   */
  public void save(Path file) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("format", FORMAT);
    header.put("size", (long) tokens.size());
    header.put("padding", padding);
    header.put("unknown", unknown);
    header.put("oov", oov.name());
    header.put("hash_buckets", (long) hashBuckets);
    header.put("checksum", "crc32c");
    byte[] padded = Container.header(dataStart -> Json.write(header));
    try (AtomicOutput out = Container.create(file, MAGIC, VERSION, padded)) {
      for (String t : tokens) {
        byte[] b = t.getBytes(StandardCharsets.UTF_8);
        out.writeIntLE(b.length);
        out.write(b);
      }
      Container.finish(out);
    }
  }

  /**
   * Loads a vocabulary written by {@link #save}: the container of version 2, or the text file of version 1.
   *
   * @param file the file
   * @return the vocabulary
   * @throws VocabularyFormatException if the file is malformed (the message names the byte offset, or the line of a
   *     version 1 file)
   * @throws IOException if it cannot be read
   */
  public static Vocabulary load(Path file) throws IOException {
    try (ContainerReader in = ContainerReader.open(file)) {
      ContainerReader.Preamble pre = in.preamble();
      if (pre.bytes().length > 0 && pre.agreesWith(MAGIC)) {
        return loadContainer(in);
      }
    }
    return loadText(file);
  }

  /** Version 2: the container. */
  private static Vocabulary loadContainer(ContainerReader in) throws IOException {
    Path file = in.file();
    long size = in.size();
    ContainerReader.Preamble pre = in.preamble();
    if (!pre.complete()) {
      throw VocabularyFormatException.atOffset(
          file, 0, "file is truncated: the preamble needs " + Container.PREAMBLE_BYTES + " bytes, the file ends at " + size);
    }
    if (pre.version() != VERSION) {
      throw VocabularyFormatException.atOffset(
          file, 8, "vocabulary version " + pre.version() + " is not supported (only 1 and " + VERSION + ")");
    }
    int h = pre.headerLength();
    long dataStart = Container.PREAMBLE_BYTES + (long) h;
    if (h < 2 || h > MAX_HEADER_BYTES) {
      throw VocabularyFormatException.atOffset(file, 12, "header length " + h + " is not in 2.." + MAX_HEADER_BYTES);
    }
    if (dataStart + Container.CHECKSUM_BYTES > size) {
      throw VocabularyFormatException.atOffset(
          file, Container.PREAMBLE_BYTES,
          "file is truncated: the header and the checksum need " + (dataStart + Container.CHECKSUM_BYTES)
              + " bytes, the file ends at " + size);
    }
    byte[] hb = in.read(Container.PREAMBLE_BYTES, h);
    Object parsed;
    try {
      parsed = Json.parse(ContainerReader.utf8(hb, 0, hb.length));
    } catch (CharacterCodingException e) {
      throw VocabularyFormatException.atOffset(file, Container.PREAMBLE_BYTES, "header is not valid UTF-8");
    } catch (Json.JsonException e) {
      throw VocabularyFormatException.atOffset(
          file, Container.PREAMBLE_BYTES + Math.max(0, e.offset()), "header is not valid JSON: " + e.getMessage());
    }
    HeaderProblem atHeader = what -> VocabularyFormatException.atOffset(file, Container.PREAMBLE_BYTES, what);
    if (!(parsed instanceof Map<?, ?> h2) || !FORMAT.equals(h2.get("format"))) {
      throw atHeader.of("not an emb4j vocabulary: the header is not {\"format\":\"" + FORMAT + "\", ...}");
    }
    Header header = Header.parse(h2, atHeader);
    long end = size - Container.CHECKSUM_BYTES;
    int stored = in.storedChecksum(end);
    int computed = in.computeChecksum(end);
    if (stored != computed) {
      throw VocabularyFormatException.atOffset(
          file, end,
          "checksum mismatch: the file says " + Integer.toUnsignedString(stored, 16) + ", the contents give "
              + Integer.toUnsignedString(computed, 16) + " (the file is corrupted)");
    }
    ContainerReader.Cursor cursor = in.cursor(dataStart);
    List<String> tokens = new ArrayList<>();
    byte[] buf = new byte[256];
    for (long id = 0; id < header.size; id++) {
      long at = cursor.position();
      if (at + 4 > end) {
        throw VocabularyFormatException.atOffset(
            file, at, "the token section ends after " + id + " of the header's " + header.size + " tokens");
      }
      int len = cursor.readIntLE();
      if (len <= 0 || len > MAX_TOKEN_BYTES || at + 4 + len > end) {
        throw VocabularyFormatException.atOffset(
            file, at, "token " + id + " has length " + len + ", not in 1.." + Math.min(MAX_TOKEN_BYTES, end - at - 4));
      }
      if (buf.length < len) {
        buf = new byte[len];
      }
      cursor.readFully(buf, 0, len);
      try {
        tokens.add(ContainerReader.utf8(buf, 0, len));
      } catch (CharacterCodingException e) {
        throw VocabularyFormatException.atOffset(file, at + 4, "token " + id + " is not valid UTF-8");
      }
    }
    if (cursor.position() != end) {
      throw VocabularyFormatException.atOffset(
          file, cursor.position(), (end - cursor.position()) + " unexpected bytes after the last token");
    }
    return header.build(file, tokens);
  }

  /** Version 1: a JSON header line, then one JSON string per line. */
  private static Vocabulary loadText(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Utf8Lines r = new Utf8Lines(in, (line, what) -> VocabularyFormatException.atLine(file, line, what));
      String first = r.next();
      if (first == null) {
        throw VocabularyFormatException.atLine(file, 1, "file is empty; expected an emb4j-vocabulary header");
      }
      Map<?, ?> h;
      try {
        if (!(Json.parse(first) instanceof Map<?, ?> m) || !FORMAT.equals(m.get("format"))) {
          throw VocabularyFormatException.atLine(file, 1, "not an emb4j vocabulary: the header is not {\"format\":\"" + FORMAT + "\", ...}");
        }
        h = m;
      } catch (Json.JsonException e) {
        throw VocabularyFormatException.atLine(file, 1, "header is not valid JSON: " + e.getMessage());
      }
      if (!Double.valueOf(1).equals(h.get("version"))) {
        throw VocabularyFormatException.atLine(file, 1, "vocabulary version " + h.get("version") + " is not supported (only 1 and " + VERSION + ")");
      }
      Header header = Header.parse(h, what -> VocabularyFormatException.atLine(file, 1, what));
      long size = header.size;
      List<String> tokens = new ArrayList<>();
      String line;
      long ln = 1;
      while ((line = r.next()) != null) {
        ln = r.lineNumber();
        if (tokens.size() == size) {
          if (line.isEmpty()) {
            continue;
          }
          throw VocabularyFormatException.atLine(file, ln, "more tokens than the header's size " + size);
        }
        Object t;
        try {
          t = Json.parse(line);
        } catch (Json.JsonException e) {
          throw VocabularyFormatException.atLine(file, ln, "token is not a JSON string: " + e.getMessage());
        }
        if (!(t instanceof String s)) {
          throw VocabularyFormatException.atLine(file, ln, "token is not a JSON string: " + line);
        }
        tokens.add(s);
      }
      if (tokens.size() != size) {
        throw VocabularyFormatException.atLine(file, ln, "file ends after " + tokens.size() + " tokens, the header says " + size);
      }
      return header.build(file, tokens);
    }
  }

  /** Makes the exception for a problem in the header, at its line or offset. */
  private interface HeaderProblem {
    VocabularyFormatException of(String what);
  }

  /** The members of a header shared by both versions. */
  private record Header(long size, long buckets, OovPolicy policy, String padding, String unknown) {

    static Header parse(Map<?, ?> h, HeaderProblem problem) throws VocabularyFormatException {
      long size = count(h, "size", problem);
      long buckets = count(h, "hash_buckets", problem);
      OovPolicy policy;
      try {
        policy = OovPolicy.valueOf(String.valueOf(h.get("oov")));
      } catch (IllegalArgumentException e) {
        throw problem.of("oov policy " + h.get("oov") + " is not one of ERROR, UNKNOWN, HASH");
      }
      return new Header(size, buckets, policy, special(h, "padding", problem), special(h, "unknown", problem));
    }

    Vocabulary build(Path file, List<String> tokens) throws VocabularyFormatException {
      try {
        return new Vocabulary(tokens, padding, unknown, policy, (int) buckets);
      } catch (IllegalArgumentException e) {
        throw VocabularyFormatException.inFile(file, e.getMessage());
      }
    }

    private static long count(Map<?, ?> h, String key, HeaderProblem problem) throws VocabularyFormatException {
      if (!(h.get(key) instanceof Double d) || d < 0 || d != Math.rint(d) || d > Integer.MAX_VALUE) {
        throw problem.of(key + " is " + h.get(key) + ", expected an integer in 0.." + Integer.MAX_VALUE);
      }
      return d.longValue();
    }

    private static String special(Map<?, ?> h, String key, HeaderProblem problem) throws VocabularyFormatException {
      Object v = h.get(key);
      if (v != null && !(v instanceof String)) {
        throw problem.of(key + " is " + v + ", expected a string or null");
      }
      return (String) v;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v
        && tokens.equals(v.tokens)
        && Objects.equals(padding, v.padding)
        && Objects.equals(unknown, v.unknown)
        && oov == v.oov
        && hashBuckets == v.hashBuckets;
  }

  @Override
  public int hashCode() {
    return Objects.hash(tokens, padding, unknown, oov, hashBuckets);
  }

  /** For example {@code Vocabulary(10002 tokens, padding=<pad>, unknown=<unk>, oov=UNKNOWN)}. */
  @Override
  public String toString() {
    return "Vocabulary(" + tokens.size() + " tokens"
        + (padding != null ? ", padding=" + padding : "")
        + (unknown != null ? ", unknown=" + unknown : "")
        + ", oov=" + oov + (hashBuckets > 0 ? ", hashBuckets=" + hashBuckets : "") + ")";
  }
}
