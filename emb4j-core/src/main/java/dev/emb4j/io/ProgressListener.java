package dev.emb4j.io;

/**
 * Told how far a long read has come, so a caller can show progress on multi-gigabyte files. Readers call it about
 * once per mebibyte read and once at the end; it runs on the reading thread, so it should be quick.
 */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that ignores every report. */
  ProgressListener NONE = (bytesRead, totalBytes, rowsRead) -> {};

  /**
   * Reports progress.
   *
   * @param bytesRead bytes of the file consumed so far
   * @param totalBytes the size of the file in bytes
   * @param rowsRead complete rows read so far
   */
  void progress(long bytesRead, long totalBytes, long rowsRead);
}
