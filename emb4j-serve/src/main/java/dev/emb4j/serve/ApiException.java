package dev.emb4j.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/** A request the API refuses: its HTTP status and the JSON body that says why (and names the field or token). */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String key;
  private final String value;

  private ApiException(int status, String message, String key, String value) {
    super(message);
    this.status = status;
    this.key = key;
    this.value = value;
  }

  /** 400: {@code field} is missing, malformed or over a limit. */
  static ApiException badField(String field, String message) {
    return new ApiException(400, message, "field", field);
  }

  /** 404: the {@code key} (a token, a user, an item) {@code value} is not known to the model. */
  static ApiException unknown(String key, String value, String message) {
    return new ApiException(404, message, key, value);
  }

  /** 404: the request needs a model the server was not started with. */
  static ApiException notServed(String message) {
    return new ApiException(404, message, null, null);
  }

  int status() {
    return status;
  }

  /** {@code {"error": message, field-or-token: value}}. */
  Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", getMessage());
    if (key != null) {
      body.put(key, value);
    }
    return body;
  }
}
