package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.QuantizedRows;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;

/**
 * The Vector API implementation of {@link KernelSupport}, one class per concern: {@link PanamaGather}, {@link
 * PanamaPooling}, {@link PanamaQuantized} (quantized row decoders), {@link PanamaGradients}, {@link PanamaRowUpdates} (with the rules' twins in {@link
 * PanamaRowRules}) and {@link PanamaDenseMath}, over the species and helpers of {@link PanamaVectors}. Only the
 * {@code Panama*} classes import the Vector API; the {@link KernelProvider} creates this one only when the module is
 * present. Stores without a {@link RowMemory} view are handed to the scalar kernels.
 */
final class PanamaKernels implements KernelSupport {
  private final ScalarKernels scalar = new ScalarKernels();

  /** The width of the CPU's preferred float vector, in bits (the provider falls back to scalar below 128). */
  static int preferredBits() {
    return PanamaVectors.preferredBits();
  }

  /** The width of the vectors the kernels use, in bits (the preferred one unless a width is forced). */
  static int bits() {
    return PanamaVectors.S.vectorBitSize();
  }

  @Override
  public void gatherRows(RowStore w, long[] ids, int from, int to, float[] out) {
    PanamaGather.gatherRows(w, ids, from, to, out);
  }

  @Override
  public void decodeRows(QuantizedRows q, long[] ids, int from, int to, float[] out, int outRow) {
    PanamaQuantized.decodeRows(q, ids, from, to, out, outRow);
  }

  @Override
  public void decodeRow(DType dtype, RowMemory m, long row, float[] dst, int off) {
    PanamaHalfRows.decodeRow(dtype, m, row, dst, off);
  }

  @Override
  public void decodeRows(DType dtype, RowMemory m, long[] ids, int from, int to, float[] out, int outRow) {
    PanamaHalfRows.decodeRows(dtype, m, ids, from, to, out, outRow);
  }

  @Override
  public void encodeRow(StochasticRounding rounding, RowMemory m, long row, float[] src, int off) {
    PanamaHalfRows.encodeRow(rounding, m, row, src, off);
  }

  @Override
  public boolean poolSumEncoded(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long paddingIdx, float[] out,
      int[] bagSizes) {
    return PanamaPooling.poolSumEncoded(w, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, out, bagSizes);
  }

  @Override
  public void poolSum(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long paddingIdx, float[] out,
      int[] bagSizes) {
    PanamaPooling.poolSum(w, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, out, bagSizes);
  }

  @Override
  public void poolMax(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, long paddingIdx, float[] out,
      long[] maxIndices, int[] bagSizes) {
    PanamaPooling.poolMax(w, ids, bagStarts, bagFrom, bagTo, paddingIdx, out, maxIndices, bagSizes);
  }

  @Override
  public double norm(float[] row, int off, int len, double p) {
    return scalar.norm(row, off, len, p); // double accumulation: renorm only, not worth a vector version
  }

  @Override
  public void scatterAddRows(
      RowStore target, long[] ids, float[] src, int[] srcRows, float[] scales, long paddingIdx) {
    PanamaGradients.scatterAddRows(target, ids, src, srcRows, scales, paddingIdx);
  }

  @Override
  public void scatterMaxGrad(RowStore target, long[] maxIndices, int[] bagSizes, float[] grad) {
    scalar.scatterMaxGrad(target, maxIndices, bagSizes, grad); // column-wise scatter: nothing to vectorise
  }

  @Override
  public void copyRows(
      float[] src, int dim, int[] srcRows, float[] scales, int[] positions, int from, int to, float[] dst) {
    PanamaGradients.copyRows(src, dim, srcRows, scales, positions, from, to, dst);
  }

  @Override
  public void sumRows(GradientEntries entries, int dim, int[] order, int from, int to, float[] dst, int dstOffset) {
    PanamaGradients.sumRows(entries, dim, order, from, to, dst, dstOffset);
  }

  @Override
  public void accumulateRows(
      GradientEntries entries, int dim, int[] rank, int count, int from, int to, float[] sums) {
    PanamaGradients.accumulateRows(entries, dim, rank, count, from, to, sums);
  }

  @Override
  public void updateRow(
      RowRule rule, RowMemory w, RowMemory[] slots, long row, float[] grad, int gradOffset, float[] scales, int e,
      StepScratch scratch) {
    PanamaRowUpdates.updateRow(rule, w, slots, row, grad, gradOffset, scales, e, scratch);
  }

  @Override
  public void updateRows(SparseStep step, int from, int to, StepScratch scratch) {
    PanamaRowUpdates.updateRows(this, step, from, to, scratch);
  }

  @Override
  public void updateEachRow(
      RowRule rule, RowMemory w, int[] ids, float[] grad, float[] scales, StochasticRounding rounding) {
    if (rounding != null || !PanamaRowUpdates.updateEachRow(rule, w, ids, grad, scales)) {
      KernelSupport.super.updateEachRow(rule, w, ids, grad, scales, rounding);
    }
  }

  @Override
  public void updateDenseRows(
      RowRule rule, RowStore w, RowStore[] slots, RowStore grad, StochasticRounding rounding) {
    PanamaRowUpdates.updateDenseRows(rule, w, slots, grad, rounding);
  }

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int len) {
    return PanamaDenseMath.dot(a, ao, b, bo, len);
  }

  @Override
  public void axpy(float s, float[] x, int xo, float[] y, int yo, int len) {
    PanamaDenseMath.axpy(s, x, xo, y, yo, len);
  }
}
