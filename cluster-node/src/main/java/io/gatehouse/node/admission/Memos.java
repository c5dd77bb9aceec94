package io.gatehouse.node.admission;

import io.gatehouse.node.browser.BrowserSessions;
import io.gatehouse.node.token.TokenCache;

/**
 * What one client connection last presented and was found to be: its token and its session
 * cookie. A keep-alive client presents the same credential with every request; while the node's
 * views have not changed, the same credential on the same connection is the same answer, without
 * the parse and the hash. Shared by the streams of an HTTP/2 connection; touched only on its
 * event loop; never logged.
 */
public final class Memos {
  private final TokenCache.Memo token = new TokenCache.Memo();
  private final BrowserSessions.Memo session = new BrowserSessions.Memo();

  public TokenCache.Memo token() {
    return token;
  }

  public BrowserSessions.Memo session() {
    return session;
  }
}
