package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.AHEAD;
import static dev.emb4j.internal.kernel.PanamaVectors.FLOAT;
import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.LB;
import static dev.emb4j.internal.kernel.PanamaVectors.NATIVE;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.weigh;

import dev.emb4j.internal.store.QuantizedRows;
import dev.emb4j.internal.store.RowMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * The one body of {@link BlockSum}, the template of its per-kind copies ({@link #forKind}). In a copy, {@code KIND}
 * is a constant, so each test of it below folds away when the JIT compiles the copy, which then holds only its own
 * kind's row addressing, loads and decoding. Whether there are weights, padding or several arrays does not change
 * within a call: the JIT takes those tests out of the loop.
 */
final class PanamaBlockSum implements BlockSum {
  private static final int KIND = ClassCopies.kind(MethodHandles.lookup());

  /** Rows found by id through a {@link RowMemory}: off-heap float32, or 16-bit. */
  private static final boolean BY_ID = KIND == SEGMENT_KIND || (KIND >= BF16_HEAP_KIND && KIND <= F16_SEGMENT_KIND);

  /** Rows read through a segment: off-heap float32 or 16-bit, or quantized. */
  private static final boolean SEGMENT_ROWS =
      KIND == SEGMENT_KIND || KIND == BF16_SEGMENT_KIND || KIND == F16_SEGMENT_KIND || KIND == INT8_KIND
          || KIND == INT4_KIND;

  private static final boolean HALF_HEAP = KIND == BF16_HEAP_KIND || KIND == F16_HEAP_KIND;
  private static final boolean BF16 = KIND == BF16_HEAP_KIND || KIND == BF16_SEGMENT_KIND;
  private static final boolean F16 = KIND == F16_HEAP_KIND || KIND == F16_SEGMENT_KIND;
  private static final boolean QUANTIZED = KIND == INT8_KIND || KIND == INT4_KIND;

  /** Bytes per value in a row's address: 4 for float32, 2 for 16-bit, 1 for 8-bit (4-bit addresses halve it). */
  private static final int VALUE_BYTES = BF16 || F16 ? 2 : KIND == INT8_KIND || KIND == INT4_KIND ? 1 : 4;

  /**
   * Vectors per block: 8, or 4 for the kinds whose decoding is long (quantized, float16), whose eight-vector body
   * grew past the JIT's node budget for inlining, leaving vector operations as calls that allocate.
   */
  private static final int VECTORS = F16 || KIND == INT4_KIND ? 2 : KIND == INT8_KIND ? 4 : 8;

  /** Used by {@link ClassCopies} only: the template itself is never instantiated. */
  PanamaBlockSum() {
    if (KIND < 0) {
      throw new IllegalStateException("PanamaBlockSum is a template; use forKind");
    }
  }

  /**
   * A new copy of this body, compiled for {@code kind} alone ({@link BlockSum#HEAP_KIND}, ...); callers make each
   * kind's copy once and keep it.
   */
  static BlockSum forKind(int kind) {
    return ClassCopies.copy(PanamaBlockSum.class, BlockSum.class, kind);
  }

  @Override
  public int vectors() {
    return VECTORS;
  }

  @Override
  public float sum(Rows rows, int[] starts, int groupFrom, int groupTo, int j, float[] out, int stride, int o) {
    Rows.Heap heap = KIND == HEAP_KIND ? (Rows.Heap) rows : null;
    Rows.Ids byId = BY_ID ? (Rows.Ids) rows : null;
    Rows.Quantized quantized = QUANTIZED ? (Rows.Quantized) rows : null;
    Rows.Entries entries = KIND == ENTRIES_KIND ? (Rows.Entries) rows : null;
    float[] single = heap != null ? heap.single() : entries != null ? entries.entries().src() : null;
    float[][] arrays = heap != null ? heap.arrays() : null;
    int[] offsets = heap != null ? heap.offsets() : null;
    int base = heap != null ? heap.base() : 0;
    boolean padded = heap != null && heap.padded();
    RowMemory mem = byId != null ? byId.mem() : null;
    QuantizedRows q = quantized != null ? quantized.rows() : null;
    MemorySegment qseg = q != null ? q.segment() : null;
    long[] ids = byId != null ? byId.ids() : quantized != null ? quantized.ids() : null;
    long pad = byId != null ? byId.pad() : quantized != null ? quantized.pad() : 0;
    int aheadLast = byId != null ? byId.aheadLast() : quantized != null ? quantized.aheadLast() : 0;
    int[] order = entries != null ? entries.order() : null;
    int[] srcRows = entries != null ? entries.entries().srcRows() : null;
    int dim = entries != null ? entries.dim() : 0;
    float[] weights =
        heap != null ? heap.weights()
            : byId != null ? byId.weights()
            : quantized != null ? quantized.weights()
            : entries.entries().scales();
    boolean weighted = weights != null;
    float touched = 0;
    for (int b = groupFrom; b < groupTo; b++) {
      int start = entries != null ? entries.from() : starts[b] - base;
      int end = entries != null ? entries.to() : starts[b + 1] - base;
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector a4 = a0;
      FloatVector a5 = a0;
      FloatVector a6 = a0;
      FloatVector a7 = a0;
      for (int i = start; i < end; i++) {
        float[] a = single;
        short[] h = null;
        MemorySegment seg = qseg;
        FloatVector scale = null;
        FloatVector bias = null;
        long p;
        float s;
        if (KIND == ENTRIES_KIND) {
          int e = order[i];
          p = (srcRows == null ? e : srcRows[e]) * dim + j;
          s = weighted ? weights[e] : 1f;
        } else if (KIND == HEAP_KIND) {
          int at = offsets[i];
          if (padded && at == RowOffsets.SKIP) {
            continue;
          }
          if (arrays != null) {
            a = arrays[i];
          }
          p = at + j;
          s = weighted ? weights[i + base] : 1f;
        } else {
          long ahead = ids[Math.min(i + AHEAD, aheadLast)];
          if (QUANTIZED) {
            touched += qseg.get(ValueLayout.JAVA_BYTE, q.offset(ahead));
          } else if (HALF_HEAP) {
            touched += mem.halfArray(ahead)[mem.index(ahead)];
          } else {
            touched += mem.segment(ahead).get(FLOAT, mem.offset(ahead));
          }
          long k = ids[i];
          if (k == pad) {
            continue;
          }
          if (QUANTIZED) {
            long at = q.offset(k);
            scale = FloatVector.broadcast(S, q.scaleAt(qseg, at));
            bias = FloatVector.broadcast(S, q.biasAt(qseg, at));
            p = at + (KIND == INT4_KIND ? j / 2 : j);
          } else if (HALF_HEAP) {
            h = mem.halfArray(k);
            p = mem.index(k) + j;
          } else {
            seg = mem.segment(k);
            p = mem.offset(k) + (long) j * VALUE_BYTES;
          }
          s = weighted ? weights[i] : 1f;
        }
        a0 = a0.add(weigh(load(a, h, seg, p, scale, bias, 0), s, weighted));
        a1 = a1.add(weigh(load(a, h, seg, p, scale, bias, 1), s, weighted));
        if (VECTORS >= 4) {
          a2 = a2.add(weigh(load(a, h, seg, p, scale, bias, 2), s, weighted));
          a3 = a3.add(weigh(load(a, h, seg, p, scale, bias, 3), s, weighted));
        }
        if (VECTORS == 8) {
          a4 = a4.add(weigh(load(a, h, seg, p, scale, bias, 4), s, weighted));
          a5 = a5.add(weigh(load(a, h, seg, p, scale, bias, 5), s, weighted));
          a6 = a6.add(weigh(load(a, h, seg, p, scale, bias, 6), s, weighted));
          a7 = a7.add(weigh(load(a, h, seg, p, scale, bias, 7), s, weighted));
        }
      }
      int at = b * stride + o;
      a0.intoArray(out, at);
      a1.intoArray(out, at + L);
      if (VECTORS >= 4) {
        a2.intoArray(out, at + 2 * L);
        a3.intoArray(out, at + 3 * L);
      }
      if (VECTORS == 8) {
        a4.intoArray(out, at + 4 * L);
        a5.intoArray(out, at + 5 * L);
        a6.intoArray(out, at + 6 * L);
        a7.intoArray(out, at + 7 * L);
      }
    }
    return touched;
  }

  /**
   * Float vector {@code c} of the row at {@code p}: an index into the float32 row array {@code a} or the 16-bit row
   * array {@code h}, or a byte offset into {@code seg}; quantized values are decoded with the row's {@code scale} and
   * {@code bias}.
   */
  private static FloatVector load(
      float[] a, short[] h, MemorySegment seg, long p, FloatVector scale, FloatVector bias, int c) {
    if (KIND == INT8_KIND) {
      return PanamaQuantized.int8Vector(seg, p + (long) c * L, scale, bias);
    }
    if (KIND == INT4_KIND) { // a pair of vectors per L bytes
      return PanamaQuantized.int4Vector(seg, p + (long) (c / 2) * L, c % 2 == 1, scale, bias);
    }
    if (HALF_HEAP) {
      ShortVector x = ShortVector.fromArray(PanamaHalfRows.HS, h, (int) p + c * L);
      return BF16 ? PanamaHalfRows.bf16ToFloat(x) : PanamaHalfRows.f16ToFloat(x);
    }
    if (BF16 || F16) {
      ShortVector x = ShortVector.fromMemorySegment(PanamaHalfRows.HS, seg, p + 2L * c * L, NATIVE);
      return BF16 ? PanamaHalfRows.bf16ToFloat(x) : PanamaHalfRows.f16ToFloat(x);
    }
    if (SEGMENT_ROWS) {
      return FloatVector.fromMemorySegment(S, seg, p + c * LB, NATIVE);
    }
    return FloatVector.fromArray(S, a, (int) p + c * L);
  }
}
