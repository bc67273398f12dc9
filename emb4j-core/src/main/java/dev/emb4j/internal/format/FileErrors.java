package dev.emb4j.internal.format;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Why a file operation failed, in a few words a user can act on: {@code "no such file"}, {@code "permission denied"},
 * {@code "is a directory"}, {@code "no space left on the device"}. The JDK says the same things as a bare path ({@code
 * NoSuchFileException: missing.txt}) or as the operating system's capitalised text ({@code "Is a directory"}); this is
 * the one place that turns either into a reason.
 */
public final class FileErrors {
  private FileErrors() {}

  /**
   * The reason {@code e} gives, without the file name.
   *
   * @param e what the file system threw
   * @return for example {@code "no such file"}
   */
  public static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "already exists";
    }
    if (e instanceof DirectoryNotEmptyException) {
      return "is a directory that is not empty";
    }
    String text = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
    if (text == null || text.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return systemReason(text).orElse(lowerFirst(text.strip()));
  }

  /**
   * The reason for an operating system's error text, for the errors users meet: {@code "Is a directory"} gives
   * {@code "is a directory"}, {@code "Illegal seek"} says that a pipe cannot be read where a file is needed.
   *
   * @param text the text, as {@code strerror} gives it
   * @return the reason, or empty for any other text
   */
  public static Optional<String> systemReason(String text) {
    return Optional.ofNullable(
        switch (text.strip()) {
          case "Is a directory" -> "is a directory";
          case "Not a directory" -> "a part of the path is not a directory";
          case "No such file or directory" -> "no such file";
          case "Permission denied", "Operation not permitted" -> "permission denied";
          case "Read-only file system" -> "the file system is read-only";
          case "No space left on device" -> "no space left on the device";
          case "Disk quota exceeded" -> "disk quota exceeded";
          case "File too large" -> "file too large (for the file system, or for the limit set by 'ulimit -f')";
          case "File name too long" -> "file name too long";
          case "Illegal seek", "Invalid seek" ->
              "not a regular file (a pipe or a device such as /dev/stdin cannot be read here: save it to a file first)";
          default -> null;
        });
  }

  /**
   * An exception saying that {@code file} could not be read or written, and why: {@code "cannot write x.model: no
   * space left on the device"}. The original is kept as the cause.
   *
   * @param verb what was being done: {@code "read"}, {@code "write"}
   * @param file the file, as the caller named it
   * @param e what the file system threw
   * @return the exception to throw
   */
  public static IOException cannot(String verb, Path file, IOException e) {
    return new IOException("cannot " + verb + " " + file + ": " + reason(e), e);
  }

  private static String lowerFirst(String s) {
    if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && !Character.isUpperCase(s.charAt(1))) {
      return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
    return s;
  }
}
