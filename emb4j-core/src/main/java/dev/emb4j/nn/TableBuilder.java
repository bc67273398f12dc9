package dev.emb4j.nn;

import dev.emb4j.Emb4j;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowInit;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;

/**
 * The options shared by {@link Embedding.Builder} and {@link EmbeddingBag.Builder}, with PyTorch's defaults.
 *
 * <p>A builder starts from one of three sources: a fresh table of V x D rows filled by an {@link Initializer}
 * (trainable by default, padding row zeroed after initialisation), a copy of pretrained weights, or the caller's own
 * {@link RowStore} (both frozen by default and never modified at build time, as in PyTorch's {@code
 * from_pretrained}). Every option is checked by {@code build()}, which names the offending value.
 *
 * @param <B> the concrete builder, so that chained calls keep their type
 */
public abstract sealed class TableBuilder<B extends TableBuilder<B>> permits Embedding.Builder, EmbeddingBag.Builder {
  final long numEmbeddings;
  final int embeddingDim;
  final FloatTensor pretrained;
  final RowStore wrapped;

  Long paddingIdx;
  Double maxNorm;
  double normType = 2.0;
  boolean scaleGradByFreq;
  boolean sparse;
  boolean freeze;
  /** Null for the default, N(0, 1) from a seed drawn at build time from the global generator. */
  Initializer initializer;
  Storage storage = Storage.HEAP;
  /** Null for the default: lazy rows for a mapped table, eager ones otherwise. */
  Boolean lazyInit;
  DType dtype = DType.F32;

  TableBuilder(long numEmbeddings, int embeddingDim, FloatTensor pretrained, RowStore wrapped, boolean freeze) {
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.pretrained = pretrained;
    this.wrapped = wrapped;
    this.freeze = freeze;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * The padding row: its gradient is always zero and bags leave it out. Negative values count from the end ({@code
   * -1} is the last row), as in PyTorch; the valid range is {@code -V .. V-1}.
   */
  public B paddingIdx(long paddingIdx) {
    this.paddingIdx = paddingIdx;
    return self();
  }

  /**
   * Renormalise each looked-up row whose norm exceeds {@code maxNorm} to that norm, in place, before every lookup
   * (PyTorch's {@code max_norm}). Zero and negative values are accepted and behave as in PyTorch.
   */
  public B maxNorm(double maxNorm) {
    this.maxNorm = maxNorm;
    return self();
  }

  /** The p of the p-norm used with {@link #maxNorm}; default 2. Infinity means the largest magnitude. */
  public B normType(double normType) {
    this.normType = normType;
    return self();
  }

  /** Divide each row's gradient by the number of times the row occurs in the batch. */
  public B scaleGradByFreq(boolean scaleGradByFreq) {
    this.scaleGradByFreq = scaleGradByFreq;
    return self();
  }

  /** Produce a {@link dev.emb4j.autograd.SparseGradient} (touched rows only) instead of a dense V x D gradient. */
  public B sparse(boolean sparse) {
    this.sparse = sparse;
    return self();
  }

  /** A frozen table takes no gradient (PyTorch's {@code requires_grad=False}). */
  public B freeze(boolean freeze) {
    this.freeze = freeze;
    return self();
  }

  /**
   * How a fresh table is filled. The default is N(0, 1), PyTorch's, from a seed drawn when the table is built from the
   * global generator ({@link Emb4j#manualSeed(long)}): two default tables differ, and a program that sets the global
   * seed first is reproducible. {@code initializer(Initializer.normal(seed))} gives a table its own seed.
   */
  public B initializer(Initializer initializer) {
    requireFresh("an initializer");
    this.initializer = java.util.Objects.requireNonNull(initializer, "initializer");
    return self();
  }

  /**
   * Where a fresh or copied table keeps its rows; default {@link Storage#HEAP}. A fresh table built on {@link
   * Storage#mapped} with an existing file uses that file's rows (their shape must be this table's) and ignores the
   * initializer: that is how a mapped table is reopened in a later run. Close the table to seal its file.
   */
  public B storage(Storage storage) {
    if (wrapped != null) {
      throw new IllegalStateException("a wrapped table uses the caller's store; it has no storage choice");
    }
    this.storage = java.util.Objects.requireNonNull(storage, "storage");
    return self();
  }

  /**
   * Whether a fresh table draws each row from the initializer the first time the row is touched ({@link
   * dev.emb4j.store.LazyRowStore}) instead of filling every row at build time: building then takes constant time
   * whatever the size, and the same seed gives the same table whatever order the rows are touched in. Lazy rows use
   * the initializer's {@link Initializer#lazyForm per-row form}: the same distribution as the eager fill, other
   * values. Default: true for {@link Storage#mapped mapped} tables, false otherwise.
   */
  public B lazyInit(boolean lazyInit) {
    requireFresh("lazyInit");
    this.lazyInit = lazyInit;
    return self();
  }

  /**
   * The element type of a fresh or copied table's rows; default {@link DType#F32}. {@link DType#BF16} and {@link
   * DType#F16} halve the memory and the bytes each lookup reads: values are rounded to nearest when the table is
   * filled, read in float32 by lookups and pooling, and the library's optimizers update them in float32 and write
   * them back with stochastic rounding. Float16 holds magnitudes up to 65504 (an initial value beyond becomes an
   * infinity, an update saturates there); bfloat16 has float32's range with 8 bits of precision.
   *
   * @throws IllegalStateException for a wrapped table (its store has its own dtype)
   * @throws IllegalArgumentException unless the type is F32, F16 or BF16
   */
  public B dtype(DType dtype) {
    if (wrapped != null) {
      throw new IllegalStateException("a wrapped table uses the caller's store; its dtype is the store's");
    }
    java.util.Objects.requireNonNull(dtype, "dtype");
    if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
      throw new IllegalArgumentException("a trainable table holds F32, F16 or BF16 rows, not " + dtype);
    }
    this.dtype = dtype;
    return self();
  }

  private void requireFresh(String what) {
    if (pretrained != null || wrapped != null) {
      throw new IllegalStateException(what + " only applies to a fresh table, not to pretrained or wrapped weights");
    }
  }

  /** Checks the options and creates the table state. */
  TableCore buildCore(String kind) {
    long v = numEmbeddings;
    if (v < 0) {
      throw new IllegalArgumentException("numEmbeddings must not be negative, got " + v);
    }
    if (embeddingDim <= 0) {
      throw new IllegalArgumentException("embeddingDim must be positive, got " + embeddingDim);
    }
    long pad = -1;
    if (paddingIdx != null) {
      long p = paddingIdx;
      if (p >= v || p < -v) {
        throw new IllegalArgumentException(
            "paddingIdx " + p + " is out of range for a table of " + v + " rows (valid " + (-v) + ".." + (v - 1) + ")");
      }
      pad = p < 0 ? v + p : p;
    }
    if (maxNorm != null && Double.isNaN(maxNorm)) {
      throw new IllegalArgumentException("maxNorm must not be NaN");
    }
    if (Double.isNaN(normType)) {
      throw new IllegalArgumentException("normType must not be NaN");
    }
    if (sparse && scaleGradByFreq) {
      throw new IllegalArgumentException(
          "scaleGradByFreq is not supported with sparse gradients (PyTorch raises the same at backward)");
    }
    if (pretrained != null) {
      PretrainedChecks.requireFinite(pretrained);
    }
    RowStore store;
    if (wrapped != null) {
      store = wrapped; // the caller's memory, used as is: not copied and not scanned
      if (store.dim() != embeddingDim || store.rows() != v) {
        throw new IllegalStateException("wrapped store changed shape");
      }
      checkReadOnly(store);
    } else if (storage instanceof Storage.Mapped mapped && mapped.exists()) {
      if (pretrained != null) {
        throw new IllegalStateException(
            mapped.file() + " exists: pretrained weights are copied into a new mapped file, not over a table");
      }
      store = mapped.open(v, embeddingDim); // the rows of an earlier run, lazy if they were
      if (store.dtype() != dtype) {
        DType held = store.dtype();
        store.close();
        throw new IllegalStateException(
            mapped.file() + " holds " + held.label() + " rows, not the " + dtype.label() + " rows asked for");
      }
    } else if (pretrained == null && (lazyInit != null ? lazyInit : storage instanceof Storage.Mapped)) {
      Initializer init = initializer != null ? initializer : Initializer.normal(Emb4j.nextSeed());
      RowInit rows =
          init.lazyForm(v, embeddingDim)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "lazy rows need an initializer with a per-row form (the factories of Initializer but"
                              + " fromFunction); set lazyInit(false) to fill this one's rows at build time"));
      store = storage.allocateLazy(v, embeddingDim, dtype, rows);
      if (pad >= 0) {
        store.writeRow(pad, new float[embeddingDim], 0); // written whole: the padding row is never drawn
      }
    } else {
      store = storage.allocate(v, embeddingDim, dtype);
      if (pretrained != null) {
        float[] data = pretrained.data();
        requireInRange(data, dtype);
        for (long r = 0; r < v; r++) {
          store.writeRow(r, data, (int) (r * embeddingDim));
        }
      } else {
        (initializer != null ? initializer : Initializer.normal(Emb4j.nextSeed())).initialize(store);
        if (pad >= 0) {
          store.writeRow(pad, new float[embeddingDim], 0);
        }
      }
    }
    return new TableCore(
        kind, store, pad, maxNorm == null ? Double.NaN : maxNorm, normType, scaleGradByFreq, sparse, freeze, wrapped == null);
  }

  /** A quantized (read-only) store makes an inference-only table: frozen, and never renormalised in place. */
  private void checkReadOnly(RowStore store) {
    if (!store.dtype().quantized()) {
      return;
    }
    if (!freeze) {
      throw new IllegalArgumentException(
          "a table over " + store.dtype().label() + " quantized rows is for inference only and cannot be trained"
              + " (freeze(false)); train a float32 table and quantize it, or dequantize these rows first");
    }
    if (maxNorm != null) {
      throw new IllegalArgumentException(
          "maxNorm renormalises rows in place, but " + store.dtype().label() + " quantized rows are read-only");
    }
  }

  /** Rejects a pretrained value that the table's dtype cannot hold (beyond float16's 65504), naming its position. */
  private void requireInRange(float[] data, DType type) {
    if (type != DType.F16) {
      return;
    }
    for (int i = 0; i < data.length; i++) {
      if (Float.isInfinite(type.decode(type.encode(data[i])))) {
        throw new IllegalArgumentException(
            "pretrained value " + data[i] + " at [" + i / embeddingDim + ", " + i % embeddingDim
                + "] is beyond the range of F16 (largest finite value 65504)");
      }
    }
  }

  /** The shape of pretrained weights: must be 2-D. */
  static long[] pretrainedShape(FloatTensor weights) {
    if (weights.shape().rank() != 2) {
      throw new IllegalArgumentException(
          "pretrained weights must be 2-dimensional (V, D), got shape " + weights.shape());
    }
    return new long[] {weights.shape().dim(0), weights.shape().dim(1)};
  }
}
