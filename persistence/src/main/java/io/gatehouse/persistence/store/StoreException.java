package io.gatehouse.persistence.store;

/** A database call failed; the message names the statement, never the values bound to it. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
