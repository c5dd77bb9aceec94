package io.gatehouse.protocol.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.gatehouse.protocol.FieldError;
import io.gatehouse.protocol.Rejection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/**
 * JSON of the admin API: strict on the way in, so that every mistake in a request body becomes a
 * 400 {@code invalid_request} that names the offending field, and plain on the way out.
 *
 * <p>Strict means: no unknown fields, no duplicate fields, no trailing content, no coercion
 * between strings, numbers and booleans ({@code "30"} is not an integer, {@code 1.5} is not an
 * integer, {@code 5} is not a string).
 */
public final class ApiJson {
  private static final ObjectMapper MAPPER = createMapper();

  private ApiJson() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static ObjectMapper createMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();
    // Jackson turns 5 into "5" by default; a field that wants a string must get one.
    mapper.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a request body into {@code type}, or throws a {@link Rejection} with code
   * {@code invalid_request} whose message starts with the offending field.
   */
  public static <T> T read(byte[] body, Class<T> type) {
    if (body == null || body.length == 0) {
      throw Rejection.invalid("body", "is empty; expected a JSON object");
    }
    try {
      T value = MAPPER.readValue(body, type);
      if (value == null) {
        throw Rejection.invalid("body", "expected a JSON object, got null");
      }
      return value;
    } catch (JsonParseException e) {
      String duplicate = duplicateField(e.getOriginalMessage());
      if (duplicate != null) {
        throw Rejection.invalid(duplicate, "appears more than once");
      }
      throw Rejection.invalid(
          "body",
          "malformed JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
    } catch (UnrecognizedPropertyException e) {
      throw Rejection.invalid(path(e), "is not a known field");
    } catch (ValueInstantiationException e) {
      throw fromCause(path(e), e.getCause());
    } catch (InvalidFormatException e) {
      String field = path(e);
      throw fromCause(field, e.getCause() != null ? e.getCause() : new IllegalArgumentException("expected " + describeType(e.getTargetType())));
    } catch (MismatchedInputException e) {
      String field = path(e);
      if (field.isEmpty()) {
        throw Rejection.invalid("body", "expected a JSON object");
      }
      throw Rejection.invalid(field, "expected " + describeType(e.getTargetType()));
    } catch (JsonMappingException e) {
      String field = path(e);
      if (e.getCause() instanceof FieldError || e.getCause() instanceof IllegalArgumentException) {
        throw fromCause(field, e.getCause());
      }
      if (e.getCause() instanceof InputCoercionException
          || (e.getOriginalMessage() != null && e.getOriginalMessage().contains("out of range"))) {
        throw Rejection.invalid(field.isEmpty() ? "body" : field, "is out of range");
      }
      throw Rejection.invalid(field.isEmpty() ? "body" : field, "has an invalid value");
    } catch (InputCoercionException e) {
      throw Rejection.invalid(fieldOf(e), "is out of range");
    } catch (IOException e) {
      throw Rejection.invalid("body", "could not be read as JSON");
    }
  }

  private static String duplicateField(String message) {
    String prefix = "Duplicate field '";
    if (message != null && message.startsWith(prefix)) {
      int end = message.indexOf('\'', prefix.length());
      return end > prefix.length() ? message.substring(prefix.length(), end) : null;
    }
    return null;
  }

  private static Rejection fromCause(String path, Throwable cause) {
    if (cause instanceof FieldError fe) {
      return Rejection.invalid(join(path, fe.field()), fe.problem());
    }
    if (cause instanceof Rejection r) {
      return r;
    }
    String problem = cause != null && cause.getMessage() != null ? cause.getMessage() : "has an invalid value";
    return Rejection.invalid(path.isEmpty() ? "body" : path, problem);
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String fieldOf(InputCoercionException e) {
    try {
      JsonParser p = (JsonParser) e.getProcessor();
      String name = p == null ? null : p.currentName();
      return name == null ? "body" : name;
    } catch (IOException | RuntimeException ignored) {
      return "body";
    }
  }

  /** The JSON path of a mapping error: {@code principal.type}, {@code groups[1]}. */
  static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String describeType(Class<?> type) {
    if (type == null) {
      return "a different value";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class || type.isEnum() || type.getSimpleName().equals("Name")) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "an object";
    }
    return "a different value";
  }
}
