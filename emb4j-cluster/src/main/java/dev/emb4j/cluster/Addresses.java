package dev.emb4j.cluster;

import java.util.ArrayList;
import java.util.List;

/** Member addresses as the user writes them: {@code host:port}, comma separated. */
public final class Addresses {
  private Addresses() {}

  /**
   * Checks one {@code host:port}.
   *
   * @throws IllegalArgumentException if it has no port or the port is not in 1..65535
   */
  static String parse(String address) {
    String a = address.strip();
    int colon = a.lastIndexOf(':');
    int port = -1;
    if (colon > 0) {
      try {
        port = Integer.parseInt(a.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("member address '" + address + "' must be host:port with a port in 1..65535");
    }
    return a;
  }

  /**
   * The addresses of a comma-separated list, each checked.
   *
   * @param list e.g. {@code 127.0.0.1:5701,127.0.0.1:5702}
   * @return the addresses, in order
   * @throws IllegalArgumentException if an address is not {@code host:port} or there is none
   */
  public static List<String> parseList(String list) {
    List<String> out = new ArrayList<>();
    for (String a : list.split(",")) {
      if (!a.isBlank()) {
        out.add(parse(a));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no member address in '" + list + "' (expected host:port,...)");
    }
    return out;
  }
}
