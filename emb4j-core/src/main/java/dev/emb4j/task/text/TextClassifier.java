package dev.emb4j.task.text;

import dev.emb4j.checkpoint.Checkpoint;
import dev.emb4j.checkpoint.CheckpointFormatException;
import dev.emb4j.internal.format.Json;
import dev.emb4j.io.Vectors;
import dev.emb4j.metrics.ClassificationMetrics;
import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.DenseParameter;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.nn.Initializer;
import dev.emb4j.nn.Parameter;
import dev.emb4j.nn.Parameters;
import dev.emb4j.store.DType;
import dev.emb4j.store.QuantizedRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.task.Recommender;
import dev.emb4j.vocab.FastTextHash;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A fastText-style text classifier: the mean of the embedding rows of a text's words and hashed word n-grams
 * ({@code EmbeddingBag(MEAN)}), optionally a ReLU hidden layer, then a linear map to class scores and a softmax.
 *
 * <pre>
 * rows of the input table: [0, words)            known words (and the end-of-text token "&lt;/s&gt;")
 *                          [words, words+buckets) word n-grams, hashed as fastText hashes them
 * </pre>
 *
 * <p>Trained by {@link TextClassifierTrainer}; saved and loaded as an emb4j checkpoint of kind {@value #KIND}.
 * Prediction is read-only and safe from many threads. {@link #quantize} makes an inference copy whose input table
 * holds int8 or int4 rows (4 to 8 times smaller), saved and loaded the same way.
 */
public final class TextClassifier implements AutoCloseable {
  /** The {@code kind} metadata value of a saved text classifier. */
  public static final String KIND = "emb4j-text-classifier";

  /** fastText's end-of-text token, appended to every text. */
  public static final String EOS = "</s>";

  /**
   * The shape of a model.
   *
   * @param dim embedding size
   * @param ngrams longest word n-gram (1: words only)
   * @param buckets hash buckets for word n-grams (0 when ngrams is 1)
   * @param hidden size of the ReLU hidden layer, or 0 for none (fastText's architecture)
   * @param lowercase whether texts are lower-cased before tokenising
   */
  public record Shape(int dim, int ngrams, int buckets, int hidden, boolean lowercase) {
    /** Largest number of weights in one dense layer: one Java array holds them. */
    private static final long MAX_DENSE_WEIGHTS = Integer.MAX_VALUE - 8;

    /** Checks the values. */
    public Shape {
      if (dim <= 0 || ngrams < 1 || buckets < 0 || hidden < 0) {
        throw new IllegalArgumentException(
            "need dim > 0, ngrams >= 1, buckets >= 0, hidden >= 0; got dim=" + dim + ", ngrams=" + ngrams
                + ", buckets=" + buckets + ", hidden=" + hidden);
      }
      if (ngrams > 1 && buckets == 0) {
        throw new IllegalArgumentException("word n-grams (ngrams=" + ngrams + ") need buckets > 0");
      }
      requireDenseLayerFits(hidden, dim);
    }

    /**
     * Checks that a hidden layer of {@code hidden x dim} weights fits one dense layer.
     *
     * @throws IllegalArgumentException naming both values if it does not
     */
    static void requireDenseLayerFits(int hidden, int dim) {
      if ((long) hidden * dim > MAX_DENSE_WEIGHTS) {
        throw new IllegalArgumentException(
            "hidden=" + hidden + " x dim=" + dim + " = " + (long) hidden * dim
                + " weights are more than one dense layer holds (" + MAX_DENSE_WEIGHTS + ")");
      }
    }

    /**
     * The bytes of the weights of a model of this shape with {@code words} known words and {@code labels} labels: the
     * input table ({@code (words + buckets) x dim}), the hidden layer and the output layer, as float32.
     *
     * @param words known words, the end-of-text token included
     * @param labels classes
     * @return the bytes, {@code Long.MAX_VALUE} for sizes beyond it
     */
    public long parameterBytes(long words, int labels) {
      double top = hidden > 0 ? hidden : dim;
      double weights = (double) (words + buckets) * dim + (double) hidden * dim + hidden + labels * top;
      return (long) (weights * Float.BYTES); // the cast saturates
    }
  }

  /**
   * A label with its probability.
   *
   * @param label the class label
   * @param probability its softmax probability
   */
  public record Prediction(String label, double probability) {}

  final Shape shape;
  final WordIndex words;
  final List<String> labels;
  final Tokenizer tokenizer;
  final EmbeddingBag input;
  final DenseParameter hiddenWeight;
  final DenseParameter hiddenBias;
  final DenseParameter output;
  private final Map<String, Integer> labelIds = new LinkedHashMap<>();

  TextClassifier(Shape shape, WordIndex words, List<String> labels, long seed) {
    this(shape, words, labels, seed, Storage.HEAP, DType.F32, null);
  }

  /** A model whose input rows (words and n-gram buckets) are kept in {@code storage}, as {@code dtype}. */
  TextClassifier(Shape shape, WordIndex words, List<String> labels, long seed, Storage storage, DType dtype) {
    this(shape, words, labels, seed, storage, dtype, null);
  }

  /**
   * A model whose input table is {@code quantizedInput} (inference only), or a fresh one on {@code storage}, as {@code
   * dtype}, when it is null.
   */
  private TextClassifier(
      Shape shape, WordIndex words, List<String> labels, long seed, Storage storage, DType dtype,
      RowStore quantizedInput) {
    if (labels.size() < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 labels, got " + labels);
    }
    this.shape = shape;
    this.words = words;
    this.labels = List.copyOf(labels);
    for (int i = 0; i < labels.size(); i++) {
      labelIds.put(labels.get(i), i);
    }
    this.tokenizer = new Tokenizer(shape.lowercase());
    long rows = (long) words.size() + shape.buckets();
    double bound = 1.0 / shape.dim();
    if (quantizedInput != null && (quantizedInput.rows() != rows || quantizedInput.dim() != shape.dim())) {
      throw new IllegalArgumentException(
          "the input table has shape " + quantizedInput.rows() + " x " + quantizedInput.dim() + ", the model needs "
              + rows + " x " + shape.dim());
    }
    this.input =
        quantizedInput != null
            ? EmbeddingBag.wrap(quantizedInput).mode(BagMode.MEAN).build()
            : EmbeddingBag.builder(rows, shape.dim())
                .mode(BagMode.MEAN)
                .dtype(dtype)
                .initializer(Initializer.uniform(-bound, bound, seed))
                .storage(storage)
                .lazyInit(false) // training reads and updates the rows in memory directly, by word id
                .build();
    int top = shape.hidden() > 0 ? shape.hidden() : shape.dim();
    if (shape.hidden() > 0) {
      hiddenWeight = new DenseParameter("hidden.weight", shape.hidden(), shape.dim());
      hiddenBias = new DenseParameter("hidden.bias", 1, shape.hidden());
      double b = 1 / Math.sqrt(shape.dim());
      java.util.SplittableRandom rng = new java.util.SplittableRandom(seed + 1);
      for (int i = 0; i < hiddenWeight.data().length; i++) {
        hiddenWeight.data()[i] = (float) (-b + 2 * b * rng.nextDouble());
      }
    } else {
      hiddenWeight = null;
      hiddenBias = null;
    }
    this.output = new DenseParameter("output.weight", labels.size(), top); // zero-initialised, as fastText's output matrix
  }

  /** The labels, in the model's order. */
  public List<String> labels() {
    return labels;
  }

  /** The model's shape. */
  public Shape shape() {
    return shape;
  }

  /**
   * Releases the input table: frees off-heap memory and seals a mapped file (see {@link
   * TextClassifierTrainer#TextClassifierTrainer(TextClassifierTrainer.Config, Storage)}); nothing to do on the heap.
   * The classifier must not be used afterwards.
   */
  @Override
  public void close() {
    input.close();
  }

  /**
   * How the input table's rows are stored: {@link DType#F32} for a trained model, the quantized type for a copy made
   * by {@link #quantize}.
   */
  public DType dtype() {
    return input.weight().dtype();
  }

  /**
   * A copy of this model for inference, its input table quantized row-wise to {@code dtype} (the dense layers are
   * copied as they are): the table, nearly all of the model, takes about a quarter (int8) or an eighth (int4) of the
   * memory and of the file. Predictions come from the decoded rows, so they may differ slightly from this model's.
   *
   * @param dtype {@link DType#INT8} or {@link DType#INT4}
   * @return the quantized copy
   * @throws IllegalArgumentException if {@code dtype} is not quantized, or a row of the table has a NaN or infinite
   *     value (naming the row)
   */
  public TextClassifier quantize(DType dtype) {
    QuantizedRowStore rows = QuantizedRowStore.quantize(input.weight(), dtype);
    TextClassifier q = new TextClassifier(shape, words, labels, 0, Storage.HEAP, dtype, rows);
    copyDense(this, q);
    return q;
  }

  /** Copies the dense layers' values from one model to another of the same shape. */
  private static void copyDense(TextClassifier from, TextClassifier to) {
    if (from.hiddenWeight != null) {
      System.arraycopy(from.hiddenWeight.data(), 0, to.hiddenWeight.data(), 0, from.hiddenWeight.data().length);
      System.arraycopy(from.hiddenBias.data(), 0, to.hiddenBias.data(), 0, from.hiddenBias.data().length);
    }
    System.arraycopy(from.output.data(), 0, to.output.data(), 0, from.output.data().length);
  }

  /** Number of known words (including the end-of-text token). */
  public int vocabularySize() {
    return words.size();
  }

  /** The index of {@code label}, or -1. */
  public int labelId(String label) {
    Integer i = labelIds.get(label);
    return i == null ? -1 : i;
  }

  /** The tokenizer this model was trained with. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * The input rows of a tokenised text: known words, the end-of-text token, then the word n-gram buckets (computed
   * from every token, known or not, as fastText does).
   */
  public int[] inputIds(List<String> tokens) {
    int n = tokens.size() + 1;
    int[] hashes = new int[n];
    int[] ids = new int[n + (shape.ngrams() > 1 ? n * (shape.ngrams() - 1) : 0)];
    int len = 0;
    for (int i = 0; i < n; i++) {
      String t = i < tokens.size() ? tokens.get(i) : EOS;
      hashes[i] = FastTextHash.hash(t);
      int id = words.id(t);
      if (id >= 0) {
        ids[len++] = id;
      }
    }
    if (shape.ngrams() > 1) {
      len = WordNgrams.addWordNgrams(hashes, n, shape.ngrams(), shape.buckets(), words.size(), ids, len);
    }
    return Arrays.copyOf(ids, len);
  }

  /** Class probabilities of a raw text (tokenised with the model's tokenizer). */
  public double[] probabilities(String text) {
    return probabilities(inputIds(tokenizer.tokenize(text)));
  }

  /** Class probabilities of a text given by its input ids. */
  public double[] probabilities(int[] ids) {
    Forward f = new Forward(this);
    f.run(ids);
    double[] p = new double[labels.size()];
    for (int c = 0; c < p.length; c++) {
      p[c] = f.prob[c];
    }
    return p;
  }

  /** The {@code k} most probable labels of {@code text}, best first. */
  public List<Prediction> predict(String text, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    double[] p = probabilities(text);
    Integer[] order = new Integer[p.length];
    for (int i = 0; i < p.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
    List<Prediction> out = new ArrayList<>();
    for (int i = 0; i < Math.min(k, p.length); i++) {
      out.add(new Prediction(labels.get(order[i]), p[order[i]]));
    }
    return out;
  }

  /**
   * Accuracy and per-class precision, recall and F1 on labelled examples.
   *
   * @throws IllegalArgumentException if an example has a label the model was not trained on (naming it and its line)
   */
  public ClassificationMetrics evaluate(List<LabeledText> examples) {
    int[] predicted = new int[examples.size()];
    int[] actual = new int[examples.size()];
    Forward f = new Forward(this);
    for (int i = 0; i < examples.size(); i++) {
      LabeledText ex = examples.get(i);
      int y = labelId(ex.label());
      if (y < 0) {
        throw new IllegalArgumentException(
            "label '" + ex.label() + "'" + (ex.line() > 0 ? " on line " + ex.line() : "")
                + " was not seen in training (known: " + String.join(", ", labels) + ")");
      }
      actual[i] = y;
      f.run(inputIds(ex.tokens()));
      predicted[i] = f.argmax();
    }
    return ClassificationMetrics.of(predicted, actual, labels.size());
  }

  /**
   * The {@code k} known words whose embedding rows are most cosine-similar to {@code word}'s, best first, the word
   * itself and the end-of-text token excluded.
   *
   * @throws IllegalArgumentException if the word is not in the vocabulary
   */
  public List<Prediction> nearestWords(String word, int k) {
    String w = shape.lowercase() ? word.toLowerCase(java.util.Locale.ROOT) : word;
    int q = words.id(w);
    if (q < 0) {
      throw new IllegalArgumentException("'" + word + "' is not in the model's vocabulary");
    }
    RowStore rows = input.weight();
    int d = shape.dim();
    float[] query = new float[d];
    float[] row = new float[d];
    rows.readRow(q, query, 0);
    double qn = norm(query);
    PriorityQueue<Prediction> best = new PriorityQueue<>((a, b) -> Double.compare(a.probability(), b.probability()));
    for (int i = 0; i < words.size(); i++) {
      if (i == q || words.word(i).equals(EOS)) {
        continue;
      }
      rows.readRow(i, row, 0);
      double dot = 0;
      for (int j = 0; j < d; j++) {
        dot += (double) query[j] * row[j];
      }
      double cos = qn == 0 ? 0 : dot / (qn * norm(row));
      if (best.size() < k) {
        best.add(new Prediction(words.word(i), cos));
      } else if (cos > best.peek().probability()) {
        best.poll();
        best.add(new Prediction(words.word(i), cos));
      }
    }
    List<Prediction> out = new ArrayList<>(best);
    out.sort((a, b) -> Double.compare(b.probability(), a.probability()));
    return out;
  }

  /**
   * The embedding rows of the known words with the words as tokens, copied onto the heap: the end-of-text token
   * included and the word n-gram buckets left out, as in the {@code .vec} file fastText writes beside a model. Write
   * them with {@link Vectors#write} (e.g. to {@code model.vec}) or search them with {@code NearestNeighbors}.
   *
   * @return the word vectors, {@code vocabularySize() x dim}
   */
  public Vectors wordVectors() {
    RowStore table = Storage.HEAP.allocate(words.size(), shape.dim());
    float[] row = new float[shape.dim()];
    for (int i = 0; i < words.size(); i++) {
      input.weight().readRow(i, row, 0);
      table.writeRow(i, row, 0);
    }
    return Vectors.of(words.words(), table);
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  /** The name of the input table's weight in a saved model. */
  private static final String INPUT_WEIGHT = "input.weight";

  /** The parameters, named for the checkpoint. */
  List<Parameter> parameters() {
    List<Parameter> out = new ArrayList<>(Parameters.named("input", input));
    if (hiddenWeight != null) {
      out.add(hiddenWeight);
      out.add(hiddenBias);
    }
    out.add(output);
    return out;
  }

  /** Saves the model (weights, vocabulary, labels, shape) to one checkpoint file, atomically. */
  public void save(Path file) throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("kind", KIND);
    meta.put("dim", Integer.toString(shape.dim()));
    meta.put("ngrams", Integer.toString(shape.ngrams()));
    meta.put("buckets", Integer.toString(shape.buckets()));
    meta.put("hidden", Integer.toString(shape.hidden()));
    meta.put("lowercase", Boolean.toString(shape.lowercase()));
    meta.put("labels", Json.write(labels));
    meta.put("words", Json.write(words.words()));
    Checkpoint.save(file, parameters(), null, meta);
  }

  /**
   * Loads a model saved by {@link #save}.
   *
   * @throws CheckpointFormatException if the file is not an intact emb4j checkpoint or holds another kind of model
   */
  public static TextClassifier load(Path file) throws IOException {
    Checkpoint.Contents c = Checkpoint.read(file);
    Map<String, String> meta = c.metadata();
    if (!KIND.equals(meta.get("kind"))) {
      throw new CheckpointFormatException(file, file + " " + otherKind(meta) + ", not a text classifier");
    }
    TextClassifier model;
    try {
      Shape shape =
          new Shape(
              Integer.parseInt(meta.get("dim")),
              Integer.parseInt(meta.get("ngrams")),
              Integer.parseInt(meta.get("buckets")),
              Integer.parseInt(meta.get("hidden")),
              Boolean.parseBoolean(meta.get("lowercase")));
      List<String> labels = strings(Json.parse(meta.get("labels")));
      WordIndex words = new WordIndex(strings(Json.parse(meta.get("words"))));
      RowStore savedInput = c.parameters().get(INPUT_WEIGHT);
      DType dtype = savedInput == null ? DType.F32 : savedInput.dtype();
      model =
          dtype.quantized()
              ? new TextClassifier(shape, words, labels, 0, Storage.HEAP, dtype, savedInput)
              : new TextClassifier(shape, words, labels, 0, Storage.HEAP, dtype);
    } catch (RuntimeException e) {
      throw new CheckpointFormatException(
          file, file + " has incomplete or malformed classifier metadata: " + e.getMessage(), e);
    }
    for (Parameter p : model.parameters()) {
      RowStore saved = c.parameters().get(p.name());
      if (saved == null || saved.rows() != p.value().rows() || saved.dim() != p.value().dim()) {
        throw new CheckpointFormatException(
            file, file + ": parameter '" + p.name() + "' is missing or has the wrong shape");
      }
      if (saved == p.value()) {
        continue; // the quantized input table, taken over as it is
      }
      float[] row = new float[saved.dim()];
      for (long r = 0; r < saved.rows(); r++) {
        saved.readRow(r, row, 0);
        p.value().writeRow(r, row, 0);
      }
    }
    return model;
  }

  /** What a checkpoint that is not a text classifier holds, for a message. */
  private static String otherKind(Map<String, String> meta) {
    String kind = meta.get("kind");
    if (Recommender.KIND.equals(kind)) {
      return "holds a recommender (saved by 'recommend train')";
    }
    return kind == null ? "is a checkpoint without a model kind" : "holds a model of kind '" + kind + "'";
  }

  private static List<String> strings(Object json) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) json) {
      out.add((String) o);
    }
    return out;
  }
}
