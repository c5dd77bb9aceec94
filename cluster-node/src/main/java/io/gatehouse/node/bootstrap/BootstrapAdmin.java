package io.gatehouse.node.bootstrap;

import io.gatehouse.node.directory.DirectoryService;
import io.gatehouse.node.token.TokenService;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.store.Store;
import io.gatehouse.persistence.token.TokenEntity;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.PresentedToken;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start of an empty store: creates the service account {@code gatehouse-admin} and one
 * token for it, either the one given in {@code GATEHOUSE_BOOTSTRAP_TOKEN} or a new one printed
 * once to standard output (never to the log). Later starts do neither.
 */
public final class BootstrapAdmin {
  private static final Logger log = LoggerFactory.getLogger(BootstrapAdmin.class);
  static final String DONE_KEY = "bootstrap.completed";
  static final String CLAIM_KEY = "bootstrap.claimed-by";
  /** A claim this old without completion is taken over: its node died during the bootstrap. */
  private static final Duration STALE_CLAIM = Duration.ofMinutes(2);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private BootstrapAdmin() {}

  /** What the bootstrap did. */
  public enum Outcome { ALREADY_DONE, OTHER_NODE, PRESET_TOKEN, PRINTED_TOKEN }

  public static Outcome run(Store store, DirectoryService directory, TokenService tokens, String presetToken,
      int maxExpiryDays, Clock clock, String node, PrintStream out) throws Exception {
    if (store.meta(DONE_KEY).isPresent()) {
      if (!presetToken.isEmpty()) {
        log.info("GATEHOUSE_BOOTSTRAP_TOKEN is ignored: this store was bootstrapped before");
      }
      return Outcome.ALREADY_DONE;
    }
    // Nodes of a new cluster start together on one store: exactly one of them bootstraps.
    String claim = node + "@" + clock.instant();
    if (!store.putMetaIfAbsent(CLAIM_KEY, claim)) {
      String holder = store.meta(CLAIM_KEY).orElse("");
      java.time.Instant claimedAt = java.time.Instant.parse(holder.substring(holder.lastIndexOf('@') + 1));
      if (claimedAt.plus(STALE_CLAIM).isAfter(clock.instant()) || !store.replaceMeta(CLAIM_KEY, holder, claim)) {
        log.info("bootstrap is done by another node ({})", holder);
        return Outcome.OTHER_NODE;
      }
    }
    Actor system = Actor.system(node);
    Name adminName = Name.of(DirectoryState.BOOTSTRAP_ADMIN);
    DirectoryState state = await(directory.authoritative());
    if (!state.serviceAccounts().containsKey(adminName.value())) {
      state = await(directory.change(r -> new DirectoryEntity.CreateServiceAccount(adminName,
          "Bootstrap admin, created at first start", false, true, system, r)));
    }
    PrincipalRef admin = PrincipalRef.serviceAccount(adminName.value());
    long incarnation = state.principal(admin).incarnation();
    Duration lifetime = Duration.ofDays(maxExpiryDays);

    Outcome outcome;
    if (!presetToken.isEmpty()) {
      PresentedToken preset = PresentedToken.parse(presetToken);
      if (preset == null) {
        throw new IllegalArgumentException(invalidPresetMessage());
      }
      TokenEntity.Draft draft = new TokenEntity.Draft("bootstrap", TokenSecrets.hash(preset.secret()), admin,
          incarnation, admin, lifetime, null, Map.of());
      try {
        await(tokens.issueAs(preset.id(), draft, system));
      } catch (java.util.concurrent.ExecutionException e) {
        // An earlier start issued it and stopped before recording completion.
        io.gatehouse.protocol.Rejection r = TokenService.rejectionOf(e.getCause());
        if (r == null || r.code() != io.gatehouse.protocol.ErrorCode.CONFLICT) {
          throw e;
        }
      }
      log.info("bootstrap admin token {} taken from GATEHOUSE_BOOTSTRAP_TOKEN", preset.id());
      outcome = Outcome.PRESET_TOKEN;
    } else {
      TokenSecrets.Generated generated = tokens.generate();
      TokenEntity.Draft draft = new TokenEntity.Draft("bootstrap", generated.secretHash(), admin, incarnation,
          admin, lifetime, null, Map.of());
      TokenRecord issued = await(tokens.issueAs(generated.id(), draft, system));
      printOnce(out, generated.token(), issued.expiresAt());
      log.info("bootstrap admin token {} issued and printed to standard output", generated.id());
      outcome = Outcome.PRINTED_TOKEN;
    }
    store.putMetaIfAbsent(DONE_KEY, clock.instant().toString());
    return outcome;
  }

  public static String invalidPresetMessage() {
    return "GATEHOUSE_BOOTSTRAP_TOKEN is not a valid Gatehouse token: it must match "
        + "^gth_[0-9A-Za-z]{8,}_[0-9A-Za-z]{43,}$ (for example, one printed by a previous first start)";
  }

  private static void printOnce(PrintStream out, String token, Instant expiresAt) {
    out.println();
    out.println("==================================================================================");
    out.println(" Bootstrap admin token (service account gatehouse-admin). It is shown only this once:");
    out.println();
    out.println("   " + token);
    out.println();
    out.println(" It expires " + expiresAt + ". Keep it in a secret store; create admin users and");
    out.println(" their own tokens for daily work.");
    out.println("==================================================================================");
    out.println();
    out.flush();
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }
}
