package dev.emb4j.cluster;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The shape of a sharded table: its name in the cluster, {@code rows x dim} float32 values, grouped in blocks of
 * {@code blockRows} consecutive rows (one map entry each, the unit of a pull, a push and of atomicity). Rows are
 * dense numbers {@code 0 <= row < rows}; block {@code b} holds rows {@code [b * blockRows, min(rows, (b + 1) *
 * blockRows))}. (A table of raw 64-bit ids would key its blocks by a hash of the id and keep the ids inside the
 * block; the block key stays a {@code long}.)
 *
 * @param name the table's name: letters, digits, {@code _ - .}, 1 to 100 characters
 * @param rows the number of rows ({@code > 0})
 * @param dim floats per row ({@code > 0})
 * @param blockRows rows per block ({@code 1..65536})
 */
public record TableSpec(String name, long rows, int dim, int blockRows) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

  /** Rows per block unless chosen: a push or pull of one row moves this many rows' worth of entries at most. */
  public static final int DEFAULT_BLOCK_ROWS = 16;

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public TableSpec {
    Objects.requireNonNull(name, "name");
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

  /** The spec as the cluster's metadata keeps it: {@code rows dim blockRows}. */
  String encode() {
    return rows + " " + dim + " " + blockRows;
  }

  /** The spec of table {@code name} from its {@link #encode()} form. */
  static TableSpec decode(String name, String encoded) {
    String[] f = encoded.split(" ");
    return new TableSpec(name, Long.parseLong(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
  }

  /** The shape for messages, e.g. {@code 943 x 64 in blocks of 16 rows}. */
  String shape() {
    return rows + " x " + dim + " in blocks of " + blockRows + " rows";
  }
}
