package dev.emb4j.cli.bench;

import dev.emb4j.Emb4j;
import dev.emb4j.cli.DTypeOption;
import dev.emb4j.cli.MemoryBudget;
import dev.emb4j.cli.Ranges;
import dev.emb4j.cli.VersionProvider;
import dev.emb4j.store.DType;
import dev.emb4j.store.Storage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code emb4j bench}: the embedding workloads of {@code ../shared/bench/torch_embedding_bench.py}, with the same
 * definitions, printing one JSON line per result with the same fields, so that the lines of both sides (and of the
 * C probe {@code gather_limit.c}) can be set side by side. See {@link Workload} for each workload and {@link
 * Harness} for the timing (warm-up, then the median of 7 repetitions).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure lookup, bag-sum and training throughput with the workloads of PyTorch's torch_embedding_bench.py"
          + " (D = 128; lookup of N = 65536 ids; bag-sum of B = 2048 bags x L = 32; the same ids in every"
          + " repetition unless --id-sets says otherwise).",
      "Prints one JSON line per workload and table size: impl, workload, V, D, threads, ms and mrows_per_s (of the"
          + " median timed call, as torch_embedding_bench.py reports), best_ms (the fastest, as gather_limit.c"
          + " reports), cpu_ms (the calling thread's CPU time in the median call: other processes' load does not"
          + " count in it), the setup, and the memory: peak rss_anon_kb and rss_file_kb, and anon_huge_kb (the"
          + " anonymous memory on transparent huge pages, which decide how often a random row access misses the"
          + " TLB)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j bench",
      "  emb4j bench --workload lookup,bag-sum --vocab 1e4,1e6 --threads 2",
      "  emb4j bench --workload train-adagrad-bag --optimizer rowwise-adagrad --store offheap",
      "  emb4j bench --workload train-adagrad-bag --store mapped --vocab 1e8 --dim 64 --ids zipf",
      "  emb4j bench --workload lookup,bag-sum --vocab 1e7 --dtype int8",
      "  emb4j bench --table dense,dynamic --workload lookup,train-adagrad-bag --vocab 1e7 --dim 64 --ids zipf",
      "  emb4j bench --table dense,dynamic --workload lookup --vocab 1e7 --dim 64 --ids zipf --id-sets 16 --rounds 9"
    })
public final class BenchCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--workload",
      split = ",",
      paramLabel = "NAME",
      description =
          "Workloads to run (comma-separated): lookup, bag-sum, train-sgd, train-adagrad-bag (default: all, or"
              + " lookup and bag-sum for --dtype int8 or int4).")
  private List<String> workloads;

  @Option(
      names = "--vocab",
      split = ",",
      paramLabel = "V",
      description = "Table sizes V (comma-separated; 1e6 style accepted; default: 10000,1000000).")
  private List<String> vocab = List.of("10000", "1000000");

  @Option(
      names = "--threads",
      paramLabel = "N",
      converter = Ranges.Positive.class,
      description = "Kernel threads (default: the available processors).")
  private Integer threads;

  @Option(
      names = "--store",
      paramLabel = "KIND",
      description =
          "Where the table lives: heap, offheap or mapped (a memory-mapped file, its rows initialised lazily; see"
              + " --table-file) (default: heap).")
  private String store = "heap";

  @Option(
      names = "--dtype",
      paramLabel = "TYPE",
      converter = DTypeOption.Any.class,
      description =
          "Element type of the table's rows: fp32, fp16, bf16 (trained with stochastic rounding), int8 or int4 (an"
              + " fp32 table quantized row-wise, read-only: lookup and bag-sum only; its rows live off the Java heap"
              + " whatever --store says, which then holds the fp32 table only while it is quantized) (default: fp32).")
  private DType dtype = DType.F32;

  @Option(
      names = "--table-file",
      paramLabel = "FILE",
      description =
          "The file of a mapped table (--store mapped); it must not exist: each workload creates it and it is deleted"
              + " after the workload, with the optimizer state beside it (default: a file in a new temporary"
              + " directory).")
  private Path tableFile;

  @Option(
      names = "--optimizer",
      paramLabel = "NAME",
      description = "Optimizer of train-adagrad-bag: adagrad (PyTorch's, the default) or rowwise-adagrad.")
  private String optimizer = "adagrad";

  @Option(
      names = "--dim",
      paramLabel = "D",
      converter = Ranges.Positive.class,
      description = "Row width D (default: 128).")
  private int dim = Workload.D;

  @Option(
      names = "--ids",
      paramLabel = "DIST",
      description =
          "How ids are drawn: uniform (as torch_embedding_bench.py) or zipf (rank k with probability ~ 1/k^s, hot"
              + " rows scattered over the table) (default: uniform).")
  private String idStream = "uniform";

  @Option(
      names = "--zipf-exponent",
      paramLabel = "S",
      description = "The exponent s of --ids zipf (default: 1.05).")
  private double zipfExponent = IdStream.DEFAULT_EXPONENT;

  @Option(
      names = "--id-sets",
      paramLabel = "K",
      description =
          "Draw K id sets for each table and use them in turn, call after call. 1 reuses one set in every call, as"
              + " torch_embedding_bench.py does, so a table's hot rows stay in the caches between calls; K > 1 measures"
              + " a stream, whose consecutive batches are different draws of --ids (default: 1).")
  private int idSets = 1;

  @Option(
      names = "--num-ids",
      paramLabel = "N",
      converter = Ranges.Positive.class,
      description = "Ids per lookup and training step (default: 65536).")
  private int ids = Workload.N;

  @Option(
      names = "--bags",
      paramLabel = "B",
      converter = Ranges.Positive.class,
      description = "Bags per bag-sum call (default: 2048).")
  private int bags = Workload.B;

  @Option(
      names = "--bag-size",
      paramLabel = "L",
      converter = Ranges.Positive.class,
      description = "Ids per bag (default: 32).")
  private int bagSize = Workload.L;

  @Option(
      names = "--reps",
      paramLabel = "R",
      converter = Ranges.Positive.class,
      description = "Timed repetitions; the median is reported (default: 7).")
  private int reps = Harness.REPS;

  @Option(
      names = "--warmup-ms",
      paramLabel = "MS",
      converter = Ranges.NonNegativeLong.class,
      description =
          "Minimum warm-up time per workload before timing, for the JIT and for the heap to have touched its"
              + " pages (default: 5000).")
  private long warmupMillis = Harness.WARMUP_MILLIS;

  @Option(
      names = "--table",
      split = ",",
      paramLabel = "KIND",
      description =
          "Tables to measure (comma-separated): dense (ids are row numbers) or dynamic (a DynamicEmbeddingBag of"
              + " capacity V, filled with V random 64-bit ids before timing, each call mapping its raw ids to rows;"
              + " lines add ids_admitted, evictions, map_bytes and rows_bytes) (default: dense).")
  private List<String> tables = List.of("dense");

  @Option(
      names = "--after-all",
      description =
          "Run every requested workload and table size once first, unreported, then measure each: every figure is"
              + " then taken in a JVM that already ran all the others, as in a model with several tables (lines"
              + " carry \"jvm\": \"after-all\"; without it, \"fresh\" for the first workload only). Fix the heap"
              + " for it (EMB4J_JAVA_OPTS=\"-Xmx14g -Xms14g\"): a heap below its maximum is shrunk between"
              + " workloads and grown again under their calls, and fresh pages slow the calls they land in.")
  private boolean afterAll;

  @Option(
      names = "--pause-before-each",
      description =
          "With --after-all: before timing each workload and table size, print {\"waiting\": WORKLOAD, \"V\": V}"
              + " and wait for a line on standard input (at its end, wait no more). A script can then time a fresh"
              + " JVM right beside each figure, so that a machine whose speed drifts over minutes slows both alike"
              + " (tools/bench/compare.sh does).")
  private boolean pauseBeforeEach;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      description =
          "Time the tables of --table together, in N alternated rounds of --reps calls each, all of them built"
              + " first: ms is the median of the rounds' medians, best_ms the fastest call. A machine whose speed"
              + " drifts over seconds then slows every table of the comparison alike (default: 1, each table"
              + " built, timed and freed before the next).")
  private int rounds = 1;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (threads != null) {
      Emb4j.setNumThreads(threads);
    }
    if (!optimizer.equals("adagrad") && !optimizer.equals("rowwise-adagrad")) {
      throw new ParameterException(
          spec.commandLine(), "--optimizer must be adagrad or rowwise-adagrad, got '" + optimizer + "'");
    }
    if (tableFile != null && !store.equals("mapped")) {
      throw new ParameterException(spec.commandLine(), "--table-file needs --store mapped");
    }
    if (dtype.quantized() && store.equals("mapped")) {
      throw new ParameterException(
          spec.commandLine(),
          "--store mapped holds fp32, fp16 or bf16 rows, got --dtype " + DTypeOption.name(dtype)
              + " (quantized rows live off the heap)");
    }
    List<Long> sizes;
    List<Workload> chosen;
    IdStream stream;
    try {
      sizes = vocab.stream().map(BenchCommand::parseCount).toList();
      chosen =
          workloads != null
              ? workloads.stream().map(Workload::named).toList()
              : Arrays.stream(Workload.values()).filter(w -> !(w.trains() && dtype.quantized())).toList();
      stream = new IdStream(idStream, zipfExponent);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    for (String t : tables) {
      if (!t.equals("dense") && !t.equals("dynamic")) {
        throw new ParameterException(spec.commandLine(), "--table must be dense or dynamic, got '" + t + "'");
      }
    }
    if (rounds < 1) {
      throw new ParameterException(spec.commandLine(), "--rounds must be at least 1, got " + rounds);
    }
    if (idSets < 1) {
      throw new ParameterException(spec.commandLine(), "--id-sets must be at least 1, got " + idSets);
    }
    if (pauseBeforeEach && !afterAll) {
      throw new ParameterException(
          spec.commandLine(), "--pause-before-each pauses the figures of --after-all: add --after-all");
    }
    if (rounds > 1 && tables.size() > 1 && store.equals("mapped")) {
      throw new ParameterException(
          spec.commandLine(),
          "--rounds " + rounds + " keeps every table of --table open at once, but --store mapped puts each on the"
              + " one --table-file: measure one table per run, or use --store heap or offheap");
    }
    boolean dynamic = tables.contains("dynamic");
    for (Workload w : chosen) {
      if (dynamic && (!DynamicTable.supports(w) || dtype.quantized())) {
        throw new ParameterException(
            spec.commandLine(),
            "--table dynamic measures trainable tables with lookup, bag-sum and train-adagrad-bag, not "
                + (dtype.quantized() ? "--dtype " + DTypeOption.name(dtype) : "the " + w.label() + " workload"));
      }
      if (w.trains() && dtype.quantized()) {
        throw new ParameterException(
            spec.commandLine(),
            "the " + w.label() + " workload updates the table, but " + DTypeOption.name(dtype)
                + " rows are quantized for inference and read-only: use --dtype fp32, fp16 or bf16 for it, or"
                + " --workload lookup,bag-sum");
      }
    }
    try (TableFiles files = TableFiles.forStore(spec.commandLine(), store, tableFile)) {
      Workload.Config config =
          new Workload.Config(
              dim, ids, bags, bagSize, files.storage(), optimizer.equals("rowwise-adagrad"), stream, dtype,
              idSets);
      requireMemory(sizes, chosen, config, files, dynamic, rounds > 1 ? tables.size() : 1);
      String rowsLiveIn = dtype.quantized() ? Storage.OFF_HEAP.label() : files.storage().label();
      measure(
          out, sizes, chosen, config, files,
          new Json.Setup(rowsLiveIn, DTypeOption.name(dtype), stream.name(), idSets, rounds));
    }
    return 0;
  }

  /** Runs each workload at each size (all of them once first with --after-all) and prints a line per result. */
  private void measure(
      PrintWriter out, List<Long> sizes, List<Workload> chosen, Workload.Config config, TableFiles files,
      Json.Setup setup) {
    Harness harness = new Harness(reps, warmupMillis);
    String impl = "emb4j-" + VersionProvider.projectVersion();
    // the tables timed together: all of them in alternated rounds, or each alone
    List<List<String>> groups = rounds > 1 ? List.of(tables) : tables.stream().map(List::of).toList();
    if (afterAll) {
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      if (heap.getMax() > 0 && heap.getInit() < heap.getMax()) {
        spec.commandLine()
            .getErr()
            .println(
                "emb4j bench: the heap can grow (-Xms " + heap.getInit() / (1 << 20) + " MB below -Xmx "
                    + heap.getMax() / (1 << 20) + " MB), so figures after other workloads vary with it; fix it"
                    + " for --after-all, e.g. EMB4J_JAVA_OPTS=\"-Xmx14g -Xms14g\"");
      }
      for (long rows : sizes) {
        for (Workload workload : chosen) {
          for (List<String> group : groups) {
            time(group, workload, rows, config, harness, files, (table, call, r) -> {});
          }
        }
      }
    }
    boolean[] first = {true};
    Pause pause = pauseBeforeEach ? new Pause(out) : null;
    for (long rows : sizes) {
      for (Workload workload : chosen) {
        for (List<String> group : groups) {
          if (pause != null) {
            pause.await(workload, rows);
          }
          time(
              group, workload, rows, config, harness, files,
              (table, call, r) -> {
                String jvm = afterAll ? "after-all" : first[0] ? "fresh" : "after-others";
                first[0] = false;
                out.println(
                    Json.line(
                        impl, workload.label(), rows, dim, Emb4j.getNumThreads(), r, jvm, setup, table,
                        call.stats().get()));
                out.flush();
              });
        }
      }
    }
  }

  /**
   * {@code --pause-before-each}: says which figure comes next and waits for a line on standard input; once the input
   * has ended (or cannot be read) it no longer waits.
   */
  private static final class Pause {
    private final PrintWriter out;
    private final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    private boolean ended;

    Pause(PrintWriter out) {
      this.out = out;
    }

    void await(Workload workload, long rows) {
      out.println("{\"waiting\": \"" + workload.label() + "\", \"V\": " + rows + "}");
      out.flush();
      if (ended) {
        return;
      }
      try {
        ended = in.readLine() == null;
      } catch (IOException e) {
        ended = true;
      }
    }
  }

  /** What is done with each table's figure, while its table is still open. */
  private interface Report {
    void accept(String table, TimedCall call, Harness.Result result);
  }

  /**
   * Builds the tables of {@code group} for {@code workload} at {@code rows} rows, times their calls together, reports
   * each, and frees them (the last workload's tables are freed first, as the PyTorch script does: del, gc.collect()).
   */
  private void time(
      List<String> group, Workload workload, long rows, Workload.Config config, Harness harness, TableFiles files,
      Report report) {
    System.gc();
    List<TimedCall> calls = new ArrayList<>();
    try {
      for (String table : group) {
        calls.add(
            table.equals("dynamic")
                ? DynamicTable.prepare(workload, rows, config)
                : workload.prepare(rows, config));
      }
      List<Harness.Result> results = harness.time(calls, rounds);
      for (int i = 0; i < calls.size(); i++) {
        report.accept(group.get(i), calls.get(i), results.get(i));
      }
    } finally {
      for (int i = calls.size() - 1; i >= 0; i--) {
        calls.get(i).close();
      }
      files.deleteTables();
    }
  }

  /**
   * Fails before any work unless the largest table asked for (with its optimizer state and buffers) fits: in memory,
   * or for a mapped table on the disk; quantized rows, off the heap, beside the fp32 table they are made from.
   */
  private static void requireMemory(
      List<Long> sizes, List<Workload> chosen, Workload.Config config, TableFiles files, boolean dynamic,
      int together) {
    for (long rows : sizes) {
      for (Workload w : chosen) {
        String what = "the " + w.label() + " workload at --vocab " + rows + " (--dim " + config.dim() + ")";
        long one = w.tableBytes(rows, config);
        long table =
            (one > Long.MAX_VALUE / together ? Long.MAX_VALUE : one * together)
                + (dynamic ? DynamicTable.mapBytesEstimate(rows) : 0);
        long quantized = Workload.quantizedBytes(rows, config);
        long buffers = w.bufferBytes(config);
        if (config.storage() instanceof Storage.Mapped) {
          files.requireDisk(what, table);
          MemoryBudget.requireHeap(what, buffers);
        } else if (config.storage() == Storage.HEAP) {
          MemoryBudget.requireHeap(what, Math.min(Long.MAX_VALUE - buffers, table) + buffers);
          MemoryBudget.requireOffHeap(what, quantized);
        } else {
          MemoryBudget.requireOffHeap(what, Math.min(Long.MAX_VALUE - quantized, table) + quantized);
          MemoryBudget.requireHeap(what, buffers);
        }
      }
    }
  }

  /** {@code 10000}, {@code 1e6}, {@code 1_000_000}. */
  static long parseCount(String s) {
    String t = s.trim().replace("_", "");
    try {
      double d = Double.parseDouble(t);
      if (d < 1 || d != Math.rint(d) || d > 1e12) {
        throw new IllegalArgumentException("--vocab needs whole numbers from 1 to 1e12, got '" + s + "'");
      }
      return (long) d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--vocab needs numbers such as 10000 or 1e6, got '" + s + "'", e);
    }
  }
}
