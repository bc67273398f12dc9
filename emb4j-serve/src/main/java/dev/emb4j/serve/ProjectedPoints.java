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
 * principal components, with their row numbers and tokens, and the encodings the pages fetch, each made on first use.
 *
 * <p>The page draws from {@link #points()}, little-endian float32 {@code x, y} pairs that the browser reads as a {@code
 * Float32Array} and ECharts draws without converting (8 bytes a point, no parsing), and fetches the {@link
 * #tokensJson() tokens} afterwards for search and tooltips.
 */
final class ProjectedPoints {
  private final long rows;
  private final List<Object> tokens;
  private final List<Object> ids;
  private final float[] xy;
  private String json;
  private String tokensJson;
  private byte[] points;

  private ProjectedPoints(long rows, List<Object> tokens, List<Object> ids, float[] xy) {
    this.rows = rows;
    this.tokens = tokens;
    this.ids = ids;
    this.xy = xy;
  }

  /** Projects up to {@code limit} rows of {@code vectors} on their first two principal components. */
  static ProjectedPoints of(Vectors vectors, int limit) {
    Projection pca = Projection.pca(vectors.table());
    long step = Math.max(1, (vectors.size() + limit - 1) / limit);
    int n = (int) ((vectors.size() + step - 1) / step);
    List<Object> tokens = new ArrayList<>(n);
    List<Object> ids = new ArrayList<>(n);
    float[] xy = new float[2 * n];
    float[] row = new float[vectors.dim()];
    int i = 0;
    for (long r = 0; r < vectors.size(); r += step, i++) {
      vectors.table().readRow(r, row, 0);
      double[] p = pca.project(row);
      xy[2 * i] = Double.isFinite(p[0]) ? (float) p[0] : 0f;
      xy[2 * i + 1] = Double.isFinite(p[1]) ? (float) p[1] : 0f;
      tokens.add(vectors.hasTokens() ? vectors.tokens().get((int) r) : null);
      ids.add(r);
    }
    return new ProjectedPoints(vectors.size(), tokens, ids, xy);
  }

  /** {@code {"rows", "tokens", "ids", "x", "y"}} as JSON, written on first use. */
  synchronized String json() {
    if (json == null) {
      Map<String, Object> o = names();
      List<Object> xs = new ArrayList<>(ids.size());
      List<Object> ys = new ArrayList<>(ids.size());
      for (int i = 0; i < ids.size(); i++) {
        xs.add(xy[2 * i]);
        ys.add(xy[2 * i + 1]);
      }
      o.put("x", xs);
      o.put("y", ys);
      json = Json.write(o);
    }
    return json;
  }

  /** {@code {"rows", "tokens", "ids"}} as JSON, written on first use: the points' names, without their coordinates. */
  synchronized String tokensJson() {
    if (tokensJson == null) {
      tokensJson = Json.write(names());
    }
    return tokensJson;
  }

  /** The coordinates as little-endian float32 {@code x, y} pairs, in the order of {@link #json}'s lists. */
  synchronized byte[] points() {
    if (points == null) {
      ByteBuffer bytes = ByteBuffer.allocate(xy.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(xy);
      points = bytes.array();
    }
    return Arrays.copyOf(points, points.length);
  }

  private Map<String, Object> names() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("rows", rows);
    o.put("tokens", tokens);
    o.put("ids", ids);
    return o;
  }
}
