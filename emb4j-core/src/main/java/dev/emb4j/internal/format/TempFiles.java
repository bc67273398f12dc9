package dev.emb4j.internal.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hidden files that a write keeps beside its target until it is complete: {@code .<name>.<kind>-<pid>-<random>},
 * for example {@code .spam.model.tmp-4711-9f3c2a7b1d0e4f55} (kind {@code tmp} for the file renamed into place, {@code
 * rows} for a side file of rows).
 *
 * <p>Three guards keep them from piling up. A file is deleted when its write fails or is abandoned (by the writer's
 * {@code close}). Every file in flight is tracked, and a shutdown hook deletes the tracked ones when the JVM ends
 * early (Ctrl-C, SIGTERM, {@code System.exit}). A SIGKILL or a power cut runs no hook: the name carries the process
 * id, so that {@link #removeLeftovers} can tell a file whose writer is gone (delete it) from one still being written
 * by another process (keep it).
 */
public final class TempFiles {
  /** {@code .<name>.<kind>-<pid>-<random>}; group 1 the target's name, 2 the kind, 3 the pid. */
  private static final Pattern NAME = Pattern.compile("\\.(.+)\\.(tmp|rows)-([0-9]+)-[0-9a-f]{1,16}");

  /** The names of earlier versions, {@code .<name>.<kind>-<random>}, whose writer cannot be known. */
  private static final Pattern OLD_NAME = Pattern.compile("\\.(.+)\\.(tmp|rows)-[0-9a-f]{1,16}");

  private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();
  private static volatile boolean hookInstalled;

  private TempFiles() {}

  /**
   * Creates a new, empty temporary file beside {@code target}, open for writing (and reading), and tracks it until
   * {@link #release}.
   *
   * @param target the file being written
   * @param kind {@code "tmp"} or {@code "rows"}
   * @return the file and its open channel
   * @throws IOException if the file cannot be created
   */
  public static Created create(Path target, String kind) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    String prefix = "." + abs.getFileName() + "." + kind + "-" + ProcessHandle.current().pid() + "-";
    for (int attempt = 0; ; attempt++) {
      Path t = dir.resolve(prefix + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      track(t);
      try {
        FileChannel channel =
            FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        return new Created(t, channel);
      } catch (FileAlreadyExistsException e) {
        IN_FLIGHT.remove(t);
        if (attempt >= 16) {
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        IN_FLIGHT.remove(t);
        throw e;
      }
    }
  }

  /**
   * A temporary file just created.
   *
   * @param path where it is
   * @param channel open for writing and reading
   */
  public record Created(Path path, FileChannel channel) {}

  /**
   * Stops tracking {@code tmp} and deletes it if it is still there (after a rename it is not).
   *
   * @param tmp a file from {@link #create}
   * @throws IOException if it exists and cannot be deleted
   */
  public static void release(Path tmp) throws IOException {
    try {
      Files.deleteIfExists(tmp);
    } finally {
      IN_FLIGHT.remove(tmp);
    }
  }

  /**
   * Stops tracking {@code tmp}, which was renamed into place.
   *
   * @param tmp a file from {@link #create}
   */
  public static void committed(Path tmp) {
    IN_FLIGHT.remove(tmp);
  }

  private static void track(Path tmp) {
    if (!hookInstalled) {
      synchronized (TempFiles.class) {
        if (!hookInstalled) {
          try {
            Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteInFlight, "emb4j-temp-files"));
          } catch (IllegalStateException e) {
            // The JVM is already shutting down: the writer's own close deletes the file.
          }
          hookInstalled = true;
        }
      }
    }
    IN_FLIGHT.add(tmp);
  }

  /** The shutdown hook: deletes every file still in flight; a writer still running then fails, as it should. */
  private static void deleteInFlight() {
    for (Path p : List.copyOf(IN_FLIGHT)) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException | RuntimeException e) {
        // Best effort while the JVM goes down; removeLeftovers finds it next time.
      }
    }
  }

  /**
   * A temporary file in a directory that no running write owns.
   *
   * @param path the file
   * @param target the file it was a temporary for (in the same directory)
   * @param bytes its size
   * @param ownerKnown whether its name carries the writer's process id (earlier versions' names do not)
   */
  public record Leftover(Path path, Path target, long bytes, boolean ownerKnown) {}

  /**
   * The temporary files in {@code dir} whose writer is no longer running: those whose process id names no live
   * process, and those of the older name without a process id.
   *
   * @param dir a directory
   * @return the leftovers, sorted by name; empty if {@code dir} cannot be listed
   */
  public static List<Leftover> leftovers(Path dir) {
    List<Leftover> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*")) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        Matcher m = NAME.matcher(name);
        boolean ownerKnown = m.matches();
        if (!ownerKnown) {
          m = OLD_NAME.matcher(name);
          if (!m.matches()) {
            continue;
          }
        }
        if (IN_FLIGHT.contains(p.toAbsolutePath()) || ownerKnown && isBeingWritten(p, m.group(3))) {
          continue;
        }
        OptionalLong size = sizeOf(p);
        if (size.isPresent()) {
          found.add(new Leftover(p, p.resolveSibling(m.group(1)), size.getAsLong(), ownerKnown));
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    found.sort((a, b) -> a.path().compareTo(b.path()));
    return found;
  }

  /**
   * Deletes the temporary files that an interrupted write of {@code target} left beside it, when the process that
   * wrote them is no longer running (the write of the same file that is about to start makes them useless).
   *
   * @param target a file about to be written
   * @return the files deleted
   */
  public static List<Leftover> removeLeftovers(Path target) {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    List<Leftover> removed = new ArrayList<>();
    if (dir == null) {
      return removed;
    }
    for (Leftover l : leftovers(dir)) {
      if (l.ownerKnown() && l.target().getFileName().equals(abs.getFileName())) {
        try {
          if (Files.deleteIfExists(l.path())) {
            removed.add(l);
          }
        } catch (IOException e) {
          // Not ours to delete (permissions): it stays, and is reported as a leftover.
        }
      }
    }
    return removed;
  }

  /**
   * Whether the process named in {@code tmp}'s name may still be writing it: it is running, and (where its start time
   * is known) it started before the file was last written. This process writes only the files it tracks; a process
   * id can be reused, in a container even by every run.
   */
  private static boolean isBeingWritten(Path tmp, String pid) {
    try {
      long id = Long.parseLong(pid);
      if (id == ProcessHandle.current().pid()) {
        return false; // not in flight here (checked first), so a file of an earlier process with this id
      }
      Optional<ProcessHandle> owner = ProcessHandle.of(id).filter(ProcessHandle::isAlive);
      if (owner.isEmpty()) {
        return false;
      }
      Optional<Instant> started = owner.get().info().startInstant();
      return started.isEmpty() || !started.get().isAfter(Files.getLastModifiedTime(tmp).toInstant());
    } catch (NumberFormatException | IOException | UnsupportedOperationException | SecurityException e) {
      return true; // cannot tell: keep it
    }
  }

  private static OptionalLong sizeOf(Path p) {
    try {
      return Files.isRegularFile(p) ? OptionalLong.of(Files.size(p)) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }
}
