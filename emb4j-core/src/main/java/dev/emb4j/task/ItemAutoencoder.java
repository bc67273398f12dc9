package dev.emb4j.task;

import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.DenseParameter;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.nn.Initializer;
import dev.emb4j.nn.Model;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An item-based autoencoder for ratings (I-AutoRec, Sedhain et al. 2015): each item's column of ratings r_i (one entry
 * per user, observed ones only) is encoded into {@code h_i = sigmoid(sum_v r_vi V_v + b)} and decoded into the
 * prediction {@code r(u, i) = W_u . h_i + c_u}.
 *
 * <p>The encoder is an {@link EmbeddingBag} of user rows pooled in SUM mode with the ratings as per-sample weights,
 * so a pass touches only the observed ratings. The decoder's form is biased matrix factorisation with user vector
 * {@code W_u}, item vector {@code h_i} and user bias {@code c_u}, so a trained model becomes a {@link
 * MatrixFactorization} ({@link #toMatrixFactorization}). Weights start as PyTorch's {@code nn.Linear} default: uniform
 * on {@code +-1/sqrt(fanIn)}. Parameters: {@code encoder.weight} (users x hidden), {@code encoder_bias}, {@code
 * decoder} (users x hidden), {@code decoder_bias}.
 */
final class ItemAutoencoder extends Model {
  private final int users;
  private final int hidden;
  private final EmbeddingBag encoder;
  private final DenseParameter encoderBias;
  private final DenseParameter decoder;
  private final DenseParameter decoderBias;

  /**
   * Each item's observed ratings as a bag of users: item {@code i}'s raters are {@code raters[start[i] ..
   * start[i+1])} with their ratings, every item with at least one.
   */
  record Columns(int items, int[] start, int[] raters, float[] ratings, IndexTensor ids, IndexTensor offsets) {
    static Columns of(int items, int[] start, int[] raters, float[] ratings) {
      long[] ids = new long[raters.length];
      for (int k = 0; k < ids.length; k++) {
        ids[k] = raters[k];
      }
      long[] offsets = new long[items];
      for (int i = 0; i < items; i++) {
        offsets[i] = start[i];
      }
      return new Columns(items, start, raters, ratings, IndexTensor.of(ids), IndexTensor.of(offsets));
    }
  }

  /** A model for {@code users} users with {@code hidden} units, its weights drawn from {@code seed}. */
  ItemAutoencoder(int users, int hidden, long seed) {
    this.users = users;
    this.hidden = hidden;
    double encoderBound = 1 / Math.sqrt(users);
    double decoderBound = 1 / Math.sqrt(hidden);
    this.encoder =
        register(
            "encoder",
            EmbeddingBag.builder(users, hidden)
                .mode(BagMode.SUM)
                .sparse(false)
                .initializer(Initializer.uniform(-encoderBound, encoderBound, seed))
                .build());
    SplittableRandom rng = new SplittableRandom(seed + 1);
    this.encoderBias =
        registerParameter("encoder_bias", uniform(DenseParameter.vector("encoder_bias", hidden), encoderBound, rng));
    this.decoder =
        registerParameter("decoder", uniform(new DenseParameter("decoder", users, hidden), decoderBound, rng));
    this.decoderBias =
        registerParameter("decoder_bias", uniform(DenseParameter.vector("decoder_bias", users), decoderBound, rng));
  }

  private static DenseParameter uniform(DenseParameter p, double bound, SplittableRandom rng) {
    float[] v = p.data();
    for (int k = 0; k < v.length; k++) {
      v[k] = (float) (rng.nextDouble(-bound, bound));
    }
    return p;
  }

  int hidden() {
    return hidden;
  }

  /** Every item's code {@code h_i} (items x hidden, row-major), and the encoder pass that gave it. */
  private record Codes(float[] h, BagResult pooled) {}

  private Codes encode(Columns c) {
    FloatTensor weights = FloatTensor.wrap(Shape.of(c.ratings().length), c.ratings());
    BagResult pooled = encoder.lookup(c.ids(), c.offsets(), weights);
    float[] h = pooled.output().data(); // overwritten in place: the bag's backward does not read it
    float[] b = encoderBias.data();
    for (int i = 0; i < c.items(); i++) {
      int base = i * hidden;
      for (int j = 0; j < hidden; j++) {
        h[base + j] = (float) (1 / (1 + Math.exp(-(h[base + j] + b[j]))));
      }
    }
    return new Codes(h, pooled);
  }

  /**
   * The objective {@code sum over observed (u, i) of (r(u, i) - r_ui)^2 + lambda/2 (|V|^2 + |W|^2)} (the biases
   * unpenalised), with its gradient added into every parameter's gradient.
   */
  double lossAndGradient(Columns c, double lambda) {
    Codes codes = encode(c);
    float[] h = codes.h();
    float[] w = decoder.data();
    float[] cb = decoderBias.data();
    float[] gw = decoder.gradData();
    float[] gc = decoderBias.gradData();
    float[] dz = new float[c.items() * hidden];
    float[] dh = new float[hidden];
    double loss = 0;
    for (int i = 0; i < c.items(); i++) {
      int hb = i * hidden;
      Arrays.fill(dh, 0f);
      for (int k = c.start()[i]; k < c.start()[i + 1]; k++) {
        int u = c.raters()[k];
        int wb = u * hidden;
        float dot = cb[u];
        for (int j = 0; j < hidden; j++) {
          dot += w[wb + j] * h[hb + j];
        }
        float e = dot - c.ratings()[k];
        loss += (double) e * e;
        float g = 2 * e;
        gc[u] += g;
        for (int j = 0; j < hidden; j++) {
          gw[wb + j] += g * h[hb + j];
          dh[j] += g * w[wb + j];
        }
      }
      for (int j = 0; j < hidden; j++) {
        float s = h[hb + j];
        dz[hb + j] = dh[j] * s * (1 - s);
      }
    }
    float[] gb = encoderBias.gradData();
    for (int i = 0; i < c.items(); i++) {
      for (int j = 0; j < hidden; j++) {
        gb[j] += dz[i * hidden + j];
      }
    }
    encoder.backward(codes.pooled(), FloatTensor.wrap(Shape.of(c.items(), hidden), dz));
    double squares = 0;
    for (int k = 0; k < w.length; k++) {
      gw[k] += (float) (lambda * w[k]);
      squares += (double) w[k] * w[k];
    }
    RowStore v = encoder.weight();
    RowStore gv = ((DenseGradient) encoder.grad()).values();
    float[] row = new float[hidden];
    for (int u = 0; u < users; u++) {
      v.readRow(u, row, 0);
      gv.addToRow(u, (float) lambda, row, 0);
      for (float x : row) {
        squares += (double) x * x;
      }
    }
    decoder.markGrad();
    decoderBias.markGrad();
    encoderBias.markGrad();
    return loss + lambda / 2 * squares;
  }

  /**
   * This model as biased matrix factorisation over the same user rows and the items of {@code c}: user vector {@code
   * [W_u, c_u - mu]}, item vector {@code [h_i, 1]}, zero biases and global mean {@code mu}, so a known pair gets
   * exactly {@code W_u . h_i + c_u} and a pair with an unknown user or item gets {@code mu}.
   */
  MatrixFactorization toMatrixFactorization(Columns c, float mu, float min, float max) {
    float[] h = encode(c).h();
    MatrixFactorization mf =
        new MatrixFactorization(users, c.items(), hidden + 1, mu, min, max, 0, 0, Storage.HEAP, DType.F32);
    RowStore p = mf.userFactors().weight();
    RowStore q = mf.itemFactors().weight();
    float[] row = new float[hidden + 1];
    float[] w = decoder.data();
    float[] cb = decoderBias.data();
    for (int u = 0; u < users; u++) {
      System.arraycopy(w, u * hidden, row, 0, hidden);
      row[hidden] = cb[u] - mu;
      p.writeRow(u, row, 0);
    }
    for (int i = 0; i < c.items(); i++) {
      System.arraycopy(h, i * hidden, row, 0, hidden);
      row[hidden] = 1;
      q.writeRow(i, row, 0);
    }
    return mf;
  }

  /** The raw prediction {@code W_u . h_i + c_u} of each pair (u[k], i[k]) of known rows, unclipped. */
  float[] predict(Columns c, int[] u, int[] i) {
    float[] h = encode(c).h();
    float[] w = decoder.data();
    float[] out = new float[u.length];
    for (int k = 0; k < u.length; k++) {
      double dot = decoderBias.data()[u[k]];
      for (int j = 0; j < hidden; j++) {
        dot += w[u[k] * hidden + j] * h[i[k] * hidden + j];
      }
      out[k] = (float) dot;
    }
    return out;
  }
}
