package io.gatehouse.node.browser;

/**
 * The sign-in page a browser is sent to when it opens a browser route without a session: a person
 * pastes a token, which goes in the body of a POST to this host (never in a URL), and is sent on
 * to where they were going. Served with a policy that allows no script and no framing.
 */
public final class SignInPage {
  /** The page's Content-Security-Policy: no script at all, inline style only, forms to this origin. */
  public static final String POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
      + "frame-ancestors 'none'; base-uri 'none'";

  private SignInPage() {}

  /** The page, with {@code next} kept for after signing in and {@code problem} shown (or null). */
  public static String render(String next, String problem) {
    return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>Sign in · Gatehouse</title>
        <style>
          body { font: 15px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1d2330; margin: 0; }
          main { max-width: 26rem; margin: 12vh auto; background: #fff; padding: 2rem; border-radius: 8px;
                 box-shadow: 0 1px 4px rgba(0,0,0,.12); }
          h1 { font-size: 1.25rem; margin: 0 0 .5rem; }
          label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
          input[type=password] { width: 100%%; box-sizing: border-box; padding: .5rem; font: inherit; }
          button { margin-top: 1rem; padding: .5rem 1.25rem; font: inherit; background: #2357d9; color: #fff;
                   border: 0; border-radius: 4px; }
          .problem { color: #a4161a; margin: .75rem 0 0; }
          .muted { color: #5b6272; font-size: .9rem; }
        </style></head>
        <body><main>
        <h1>Sign in to continue</h1>
        <p class="muted">This application is behind Gatehouse. Paste a Gatehouse token that may use it
        (<code>gth_…</code>). It is sent once, to this gateway only, and is not kept in this browser.</p>
        <form id="sign-in" method="post" action="/_gatehouse/signin">
          <label for="token">Token</label>
          <input id="token" name="token" type="password" autocomplete="off" required autofocus>
          <input type="hidden" name="next" value="%s">
          <button type="submit">Sign in</button>
          %s
        </form>
        </main></body></html>
        """.formatted(escape(next == null ? "" : next),
        problem == null ? "" : "<p class=\"problem\" id=\"problem\" role=\"alert\">" + escape(problem) + "</p>");
  }

  /** Text for HTML (element content and quoted attributes). */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
