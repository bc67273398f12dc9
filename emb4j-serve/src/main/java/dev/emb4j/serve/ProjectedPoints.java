package dev.emb4j.serve;

import dev.emb4j.internal.format.Json;
import dev.emb4j.io.Vectors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The projector's points of one generation: up to a limit of rows (every n-th when there are more) on the first two
 * principal components, with their row numbers and tokens, and the encodings the pages fetch, made once.
 *
 * <p>The page draws from {@link #points()}, little-endian float32 {@code x, y} pairs that the browser reads as a {@code
 * Float32Array} and ECharts draws without converting (8 bytes a point, no parsing), and fetches the {@link
 * #tokensJson() tokens} afterwards for search and tooltips.
 */
final class ProjectedPoints {
  private final String json;
  private final String tokensJson;
  private final byte[] points;

  private ProjectedPoints(String json, String tokensJson, byte[] points) {
    this.json = json;
    this.tokensJson = tokensJson;
    this.points = points;
  }

  /** Projects up to {@code limit} rows of {@code vectors} on their first two principal components. */
  static ProjectedPoints of(Vectors vectors, int limit) {
    Projection pca = Projection.pca(vectors.table());
    long step = Math.max(1, (vectors.size() + limit - 1) / limit);
    int n = (int) ((vectors.size() + step - 1) / step);
    List<Object> tokens = new ArrayList<>(n);
    List<Object> ids = new ArrayList<>(n);
    List<Object> xs = new ArrayList<>(n);
    List<Object> ys = new ArrayList<>(n);
    ByteBuffer xy = ByteBuffer.allocate(n * 2 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    float[] row = new float[vectors.dim()];
    for (long r = 0; r < vectors.size(); r += step) {
      vectors.table().readRow(r, row, 0);
      double[] p = pca.project(row);
      float x = Double.isFinite(p[0]) ? (float) p[0] : 0f;
      float y = Double.isFinite(p[1]) ? (float) p[1] : 0f;
      tokens.add(vectors.hasTokens() ? vectors.tokens().get((int) r) : null);
      ids.add(r);
      xs.add(x);
      ys.add(y);
      xy.putFloat(x).putFloat(y);
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("rows", vectors.size());
    o.put("tokens", tokens);
    o.put("ids", ids);
    Map<String, Object> names = new LinkedHashMap<>(o);
    o.put("x", xs);
    o.put("y", ys);
    return new ProjectedPoints(Json.write(o), Json.write(names), xy.array());
  }

  /** {@code {"rows", "tokens", "ids", "x", "y"}} as JSON. */
  String json() {
    return json;
  }

  /** {@code {"rows", "tokens", "ids"}} as JSON: the points' names, without their coordinates. */
  String tokensJson() {
    return tokensJson;
  }

  /** The coordinates as little-endian float32 {@code x, y} pairs, in the order of {@link #json}'s lists (a copy). */
  byte[] points() {
    return Arrays.copyOf(points, points.length);
  }
}
