package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trained classifier's word vectors: exported as a fastText .vec file, or searched straight from the model. */
class ClassifyVectorsTest {
  @TempDir Path dir;

  @Test
  void exportAndSearchTheWordVectors() throws Exception {
    SplittableRandom rng = new SplittableRandom(1);
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < 300; k++) {
      boolean sport = rng.nextBoolean();
      sb.append(sport ? "__label__sport goal team " : "__label__tech code cpu ").append("w").append(rng.nextInt(20))
          .append('\n');
    }
    Path train = dir.resolve("t.txt");
    Files.writeString(train, sb.toString());
    Path model = dir.resolve("m.model");
    assertEquals(0, CliRun.run("classify", "train", "--input", train.toString(), "--output", model.toString(),
        "--dim", "8", "--epochs", "5", "-q").exitCode());

    Path vec = dir.resolve("m.vec");
    CliRun export = CliRun.run("classify", "vectors", model.toString(), vec.toString());
    assertEquals(0, export.exitCode(), export.err());
    List<String> lines = Files.readAllLines(vec);
    int words = 4 + 20 + 1; // goal team code cpu, w0..w19, </s>
    assertEquals(words + " 8", lines.get(0), "fastText's header: rows and dim");
    assertEquals(words + 1, lines.size());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("</s> ")), "the end-of-text token, as fastText's .vec");
    assertTrue(export.out().startsWith("wrote " + words + " word vectors of dimension 8 to " + vec), export.out());

    CliRun fromVec = CliRun.run("vectors", "similar", vec.toString(), "goal", "-k", "3");
    CliRun fromModel = CliRun.run("vectors", "similar", model.toString(), "goal", "-k", "3");
    assertEquals(0, fromModel.exitCode(), fromModel.err());
    assertEquals(3, fromModel.outLines().size());
    assertEquals(fromVec.out(), fromModel.out(), "the .vec file and the model give the same neighbours");
    assertTrue(fromModel.outLines().get(0).startsWith("team\t"), fromModel.out());
  }
}
