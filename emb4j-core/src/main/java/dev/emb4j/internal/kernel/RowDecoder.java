package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.QuantizedBacked;
import dev.emb4j.internal.store.QuantizedRows;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;

/**
 * The rows of a table that are not float32 (16-bit or quantized), as the kernels read them: decoded into consecutive
 * float32 rows. It is all that {@link DecodedPooling} and the gathers of {@link Kernels} need to know of a dtype;
 * {@link Kernels} gets one per call from {@link #of}, the one place that tells the dtypes apart for gathers and
 * pooling.
 */
@FunctionalInterface
interface RowDecoder {

  /**
   * For i in {@code [from, to)}: {@code out[(outRow + i - from) * D ..]} = row {@code ids[i]}, decoded to float32,
   * padding positions included (a padding id is a row of the table). May read {@code ids} ahead of {@code to}, up to
   * {@code ids.length}.
   */
  void decodeRows(long[] ids, int from, int to, float[] out, int outRow);

  /**
   * The decoder of {@code w}'s rows with {@code impl}'s decoders ({@link KernelSupport#decodeRows(QuantizedRows,
   * long[], int, int, float[], int)} for a quantized store, {@link KernelSupport#decodeRows(DType, RowMemory, long[],
   * int, int, float[], int)} for a 16-bit one), or null when the kernels read the rows as they are: a float32 store,
   * or a 16-bit store without a memory view (read through its own methods).
   */
  static RowDecoder of(KernelSupport impl, RowStore w) {
    if (w instanceof QuantizedBacked qb) {
      QuantizedRows q = qb.quantizedRows();
      return (ids, from, to, out, outRow) -> impl.decodeRows(q, ids, from, to, out, outRow);
    }
    if (w.dtype() == DType.F32) {
      return null;
    }
    RowMemory m = StoreMemory.of(w).orElse(null);
    if (m == null) {
      return null;
    }
    DType dtype = w.dtype();
    return (ids, from, to, out, outRow) -> impl.decodeRows(dtype, m, ids, from, to, out, outRow);
  }
}
