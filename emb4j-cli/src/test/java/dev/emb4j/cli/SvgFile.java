package dev.emb4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** An SVG picture read back as XML: parsing fails on a file that is not well-formed. */
record SvgFile(Document document) {
  /** Parses {@code file}, without fetching any DTD it names. */
  static SvgFile read(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return new SvgFile(factory.newDocumentBuilder().parse(file.toFile()));
  }

  /** The root element's name. */
  String root() {
    return document.getDocumentElement().getLocalName();
  }

  /** How many elements of this name the picture holds. */
  int count(String element) {
    return document.getElementsByTagNameNS("*", element).getLength();
  }

  /** The text of every {@code <text>} element, in document order. */
  List<String> texts() {
    NodeList nodes = document.getElementsByTagNameNS("*", "text");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent());
    }
    return out;
  }
}
