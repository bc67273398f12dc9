package dev.emb4j.cluster;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * The shape of a sharded table: its name in the cluster, float32 rows of {@code dim} values, grouped in blocks (one
 * map entry each, the unit of a pull, a push and of atomicity), and how its rows are keyed ({@link Keys}).
 *
 * <p><b>Dense rows</b> ({@link Keys#DENSE_ROWS}, {@link ShardedTable}): rows are numbers {@code 0 <= row < rows},
 * all created with the table; block {@code b} holds rows {@code [b * blockRows, min(rows, (b + 1) * blockRows))}.
 *
 * <p><b>Raw ids</b> ({@link Keys#RAW_IDS}, {@link ShardedIdTable}): rows are keyed by any 64-bit id, no vocabulary
 * needed. Id {@code x} lives in block {@link #blockOfId mix(x) mod blocks()}, where {@code mix} is a 64-bit
 * finaliser, so ids that share their low bits still spread over blocks and partitions; a block keeps its ids beside
 * their rows (one row per id, never shared), so it holds any number of them. {@code rows} is the number of ids
 * expected, which only sizes the number of blocks ({@code rows / blockRows}, rounded up); more ids make blocks
 * larger. A row is created at its owner by the first push of its id, starting from {@link #startRow}, a function of
 * ({@code seed}, id) only: N(0, {@code initStd}) per value, zeros when {@code initStd} is 0. A read of an id never
 * pushed answers that start row and creates nothing.
 *
 * @param name the table's name: letters, digits, {@code _ - .}, 1 to 100 characters
 * @param rows the number of rows ({@code > 0}); with raw ids, the number expected
 * @param dim floats per row ({@code > 0})
 * @param blockRows rows per block ({@code 1..65536}); with raw ids, the mean rows per block expected
 * @param keys how rows are keyed
 * @param seed with raw ids, the seed of the start rows (0 for dense rows)
 * @param initStd with raw ids, the standard deviation of the start rows, {@code >= 0} (0 for dense rows)
 */
public record TableSpec(String name, long rows, int dim, int blockRows, Keys keys, long seed, float initStd) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

  /** Rows per block unless chosen: a push or pull of one row moves this many rows' worth of entries at most. */
  public static final int DEFAULT_BLOCK_ROWS = 16;

  /** How a table's rows are keyed. */
  public enum Keys {
    /** Dense row numbers {@code 0..rows-1}, every row created with the table. */
    DENSE_ROWS,
    /** Raw 64-bit ids, a row created by the first push of its id. */
    RAW_IDS
  }

  /**
   * A table of dense rows.
   *
   * @param name the table's name
   * @param rows the number of rows
   * @param dim floats per row
   * @param blockRows rows per block
   */
  public TableSpec(String name, long rows, int dim, int blockRows) {
    this(name, rows, dim, blockRows, Keys.DENSE_ROWS, 0, 0f);
  }

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public TableSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keys, "keys");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "table name '" + name + "' must be 1 to 100 letters, digits, '_', '-' or '.'");
    }
    if (rows <= 0 || dim <= 0 || blockRows <= 0 || blockRows > 65_536) {
      throw new IllegalArgumentException(
          "table '" + name + "' needs rows > 0, dim > 0 and blockRows in 1..65536, got " + rows + ", " + dim + ", "
              + blockRows);
    }
    if ((double) blockRows * dim > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException(
          "a block of " + blockRows + " rows of " + dim + " floats does not fit one array; use fewer rows per block");
    }
    if (!(initStd >= 0) || Float.isInfinite(initStd)) {
      throw new IllegalArgumentException("table '" + name + "' needs a finite initStd >= 0, got " + initStd);
    }
    if (keys == Keys.DENSE_ROWS && (seed != 0 || initStd != 0)) {
      throw new IllegalArgumentException(
          "table '" + name + "' of dense rows takes its rows from its creator; seed and initStd must be 0");
    }
  }

  /**
   * A table keyed by raw 64-bit ids, in blocks of {@link #DEFAULT_BLOCK_ROWS} rows on average.
   *
   * @param name the table's name
   * @param expectedIds the number of ids expected (sizes the number of blocks; not a limit)
   * @param dim floats per row
   * @param seed the seed of the start rows
   * @param initStd the standard deviation of the start rows (0: zeros)
   * @return the spec
   */
  public static TableSpec rawIds(String name, long expectedIds, int dim, long seed, float initStd) {
    return new TableSpec(name, expectedIds, dim, DEFAULT_BLOCK_ROWS, Keys.RAW_IDS, seed, initStd);
  }

  /** Whether rows are keyed by raw ids. */
  public boolean rawIds() {
    return keys == Keys.RAW_IDS;
  }

  /**
   * The block holding raw id {@code id}: {@code mix(id) mod blocks()}, with {@code mix} the finaliser of
   * SplitMix64 (every bit of the id moves about half the bits of the hash).
   */
  public long blockOfId(long id) {
    return Long.remainderUnsigned(mix(id), blocks());
  }

  /**
   * Writes the start row of raw id {@code id} into {@code dst} at {@code offset}: {@code dim} values drawn from
   * N(0, initStd) by a generator seeded from ({@code seed}, id) alone, so every worker and member computes the same
   * floats; zeros when {@code initStd} is 0.
   */
  public void startRow(long id, float[] dst, int offset) {
    if (initStd == 0) {
      Arrays.fill(dst, offset, offset + dim, 0f);
      return;
    }
    SplittableRandom rnd = new SplittableRandom(mix(seed) ^ mix(id ^ 0x9E3779B97F4A7C15L));
    for (int j = 0; j < dim; j++) {
      dst[offset + j] = (float) (rnd.nextGaussian() * initStd);
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * A table of {@link #DEFAULT_BLOCK_ROWS} rows per block.
   *
   * @param name the table's name
   * @param rows the number of rows
   * @param dim floats per row
   * @return the spec
   */
  public static TableSpec of(String name, long rows, int dim) {
    return new TableSpec(name, rows, dim, DEFAULT_BLOCK_ROWS);
  }

  /** The number of blocks. */
  public long blocks() {
    return (rows + blockRows - 1) / blockRows;
  }

  /** The block holding {@code row}. */
  public long blockOf(long row) {
    return row / blockRows;
  }

  /** The first row of block {@code block}. */
  public long firstRow(long block) {
    return block * blockRows;
  }

  /** The rows in block {@code block}: {@code blockRows}, fewer for the last one. */
  public int rowsIn(long block) {
    return (int) Math.min(blockRows, rows - block * blockRows);
  }

  /**
   * The spec as the cluster's metadata keeps it: {@code rows dim blockRows}, followed for raw ids by {@code raw seed
   * initStdBits}.
   */
  String encode() {
    String dense = rows + " " + dim + " " + blockRows;
    return rawIds() ? dense + " raw " + seed + " " + Float.floatToIntBits(initStd) : dense;
  }

  /** The spec of table {@code name} from its {@link #encode()} form. */
  static TableSpec decode(String name, String encoded) {
    String[] f = encoded.split(" ");
    long rows = Long.parseLong(f[0]);
    int dim = Integer.parseInt(f[1]);
    int blockRows = Integer.parseInt(f[2]);
    if (f.length == 6 && f[3].equals("raw")) {
      return new TableSpec(
          name, rows, dim, blockRows, Keys.RAW_IDS, Long.parseLong(f[4]), Float.intBitsToFloat(Integer.parseInt(f[5])));
    }
    return new TableSpec(name, rows, dim, blockRows);
  }

  /**
   * The shape for messages, e.g. {@code 943 x 64 in blocks of 16 rows}, or {@code raw ids (about 943) x 64 in 59
   * blocks, start rows N(0, 0.1) seed 42}.
   */
  String shape() {
    if (rawIds()) {
      return "raw ids (about " + rows + ") x " + dim + " in " + blocks() + " blocks, start rows N(0, " + initStd
          + ") seed " + seed;
    }
    return rows + " x " + dim + " in blocks of " + blockRows + " rows";
  }
}
