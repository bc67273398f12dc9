package dev.emb4j.serve;

import dev.emb4j.internal.format.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one API call, from the query string (GET) or from a JSON object body (POST), read the same way:
 * a list is a JSON array or, in a query, comma-separated values or the parameter repeated. Every error is an {@link
 * ApiException} naming the field.
 */
final class RequestArgs {
  private final Map<String, List<String>> query;
  private final Map<?, ?> body;

  private RequestArgs(Map<String, List<String>> query, Map<?, ?> body) {
    this.query = query;
    this.body = body;
  }

  static RequestArgs ofQuery(Map<String, List<String>> query) {
    return new RequestArgs(query, null);
  }

  /** The members of a JSON object body (an empty body is an empty object). */
  static RequestArgs ofBody(String json) {
    if (json.isBlank()) {
      return new RequestArgs(null, Map.of());
    }
    Object parsed;
    try {
      parsed = Json.parse(json);
    } catch (Json.JsonException e) {
      throw ApiException.badField("body", "the body is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw ApiException.badField("body", "the body must be a JSON object");
    }
    return new RequestArgs(null, map);
  }

  boolean has(String name) {
    return body != null ? body.get(name) != null : query.containsKey(name);
  }

  /** A string argument, or null when absent. */
  String string(String name) {
    if (body != null) {
      Object v = body.get(name);
      if (v == null || v instanceof String) {
        return (String) v;
      }
      throw ApiException.badField(name, name + " must be a string");
    }
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.getFirst();
  }

  String requiredString(String name) {
    String v = string(name);
    if (v == null) {
      throw ApiException.badField(name, name + " is required");
    }
    return v;
  }

  /** An integer in {@code [min, max]}, or {@code otherwise} when absent. */
  int intIn(String name, int otherwise, int min, int max) {
    if (!has(name)) {
      return otherwise;
    }
    long v = integer(name);
    if (v < min || v > max) {
      throw ApiException.badField(name, name + " must be in " + min + ".." + max + ", got " + v);
    }
    return (int) v;
  }

  /** An integer argument (a JSON number without a fraction, or its decimal text in a query). */
  long integer(String name) {
    if (body != null) {
      if (body.get(name) instanceof Double d && d == Math.rint(d) && Math.abs(d) <= 0x1p53) {
        return d.longValue();
      }
      throw ApiException.badField(name, name + " must be an integer");
    }
    String text = requiredString(name);
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw ApiException.badField(name, name + " must be an integer, got '" + text + "'");
    }
  }

  /** A list of strings, at most {@code max} of them; empty when absent. */
  List<String> strings(String name, int max) {
    List<String> out = new ArrayList<>();
    if (body != null) {
      Object v = body.get(name);
      if (v != null) {
        if (!(v instanceof List<?> list)) {
          throw ApiException.badField(name, name + " must be an array of strings");
        }
        checkCount(name, list.size(), max);
        for (Object o : list) {
          if (!(o instanceof String s)) {
            throw ApiException.badField(name, name + " must be an array of strings");
          }
          out.add(s);
        }
      }
      return out;
    }
    for (String value : query.getOrDefault(name, List.of())) {
      for (String part : value.split(",", -1)) {
        out.add(part);
        checkCount(name, out.size(), max);
      }
    }
    return out;
  }

  /** A list of integers, at most {@code max} of them; empty when absent. */
  List<Long> integers(String name, int max) {
    List<Long> out = new ArrayList<>();
    if (body != null) {
      Object v = body.get(name);
      if (v != null) {
        if (!(v instanceof List<?> list)) {
          throw ApiException.badField(name, name + " must be an array of integers");
        }
        checkCount(name, list.size(), max);
        for (Object o : list) {
          if (!(o instanceof Double d) || d != Math.rint(d) || Math.abs(d) > 0x1p53) {
            throw ApiException.badField(name, name + " must be an array of integers, found " + o);
          }
          out.add(d.longValue());
        }
      }
      return out;
    }
    for (String text : strings(name, max)) {
      try {
        out.add(Long.parseLong(text.strip()));
      } catch (NumberFormatException e) {
        throw ApiException.badField(name, name + " must be integers, got '" + text + "'");
      }
    }
    return out;
  }

  /** A vector of finite floats, or null when absent. */
  float[] floats(String name, int max) {
    List<?> values;
    if (body != null) {
      Object v = body.get(name);
      if (v == null) {
        return null;
      }
      if (!(v instanceof List<?> list)) {
        throw ApiException.badField(name, name + " must be an array of numbers");
      }
      checkCount(name, list.size(), max);
      values = list;
    } else {
      if (!has(name)) {
        return null;
      }
      values = strings(name, max);
    }
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      Object o = values.get(i);
      float f;
      try {
        f = o instanceof Double d ? d.floatValue() : o instanceof String s ? Float.parseFloat(s.strip()) : Float.NaN;
      } catch (NumberFormatException e) {
        f = Float.NaN;
      }
      if (!Float.isFinite(f)) {
        throw ApiException.badField(name, name + " value " + i + " is not a finite number: " + o);
      }
      out[i] = f;
    }
    return out;
  }

  private static void checkCount(String name, int count, int max) {
    if (count > max) {
      throw ApiException.badField(name, name + " holds " + count + " values, more than the limit of " + max);
    }
  }
}
