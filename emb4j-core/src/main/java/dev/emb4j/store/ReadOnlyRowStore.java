package dev.emb4j.store;

/**
 * A row store whose rows cannot be changed, such as {@link QuantizedRowStore}: every writing method throws {@link
 * UnsupportedOperationException} with the store's own reason, and changes nothing.
 */
public abstract class ReadOnlyRowStore implements RowStore {

  /** For subclasses. */
  protected ReadOnlyRowStore() {}

  /**
   * Why the rows are read-only and what to do instead, for the exception of a write.
   *
   * @return the message
   */
  protected abstract String readOnlyReason();

  @Override
  public final void set(long row, int col, float value) {
    throw readOnly();
  }

  @Override
  public final void writeRow(long row, float[] src, int srcOffset) {
    throw readOnly();
  }

  @Override
  public final void addToRow(long row, float scale, float[] src, int srcOffset) {
    throw readOnly();
  }

  @Override
  public final void scaleRow(long row, float factor) {
    throw readOnly();
  }

  private UnsupportedOperationException readOnly() {
    return new UnsupportedOperationException(readOnlyReason());
  }
}
