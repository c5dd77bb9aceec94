package io.gatehouse.persistence.store;

/** The store belongs to another namespace; the node must not start against it. */
public final class NamespaceMismatchException extends RuntimeException {
  public NamespaceMismatchException(String storeNamespace, String nodeNamespace, String store) {
    super("The store (" + store + ") belongs to namespace '" + storeNamespace
        + "', but this node was started with GATEHOUSE_NAMESPACE='" + nodeNamespace + "'. "
        + "Two namespaces never share a store, so that tokens, routes and sessions of one environment "
        + "can never be used in another. Start the node with GATEHOUSE_NAMESPACE='" + storeNamespace
        + "', or point GATEHOUSE_DB_URL (or GATEHOUSE_DATA_DIR) at the store of namespace '"
        + nodeNamespace + "'.");
  }
}
