package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.store.DType;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The {@code --dtype} converters: both spellings of a type, and errors that name the accepted types. */
class DTypeOptionTest {

  @Test
  void acceptsTheCommandLineNamesAndTheFileLabels() {
    DTypeOption any = new DTypeOption.Any();
    for (DType type : DType.values()) {
      assertEquals(type, any.convert(DTypeOption.name(type)));
      assertEquals(type, any.convert(type.label().toUpperCase(java.util.Locale.ROOT)));
    }
    assertEquals("fp32, fp16, bf16, int8 or int4", DTypeOption.names(java.util.List.of(DType.values())));
  }

  @Test
  void aTypeTheOptionDoesNotTakeIsRefusedWithTheAcceptedOnes() {
    var unknown = assertThrows(TypeConversionException.class, () -> new DTypeOption.Quantized().convert("f64"));
    assertEquals("must be int8 or int4, got 'f64'", unknown.getMessage());
    var smaller = assertThrows(TypeConversionException.class, () -> new DTypeOption.Smaller().convert("fp32"));
    assertEquals("must be fp16, bf16, int8 or int4, got 'fp32'", smaller.getMessage());
    var quantized = assertThrows(TypeConversionException.class, () -> new DTypeOption.Floats().convert("int4"));
    assertEquals(
        "must be fp32, fp16 or bf16, got 'int4' (int4 rows are for lookups only: use 'emb4j vectors quantize' or"
            + " 'emb4j classify quantize' on trained rows)",
        quantized.getMessage());
  }
}
