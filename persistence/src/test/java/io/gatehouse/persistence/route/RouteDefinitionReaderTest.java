package io.gatehouse.persistence.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.persistence.Audit;
import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.api.RouteRequests.Protocol;
import io.gatehouse.protocol.api.RouteRequests.UpstreamProtocol;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Route events written before the definition had parts still read: the flat record of earlier
 * versions, with and without the fields added on the way, becomes the same route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteDefinitionReaderTest {
  private static final Instant AT = Instant.parse("2026-06-01T10:00:00.123Z");
  private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseResources("serialization.conf")
      .withFallback(ConfigFactory.load()));
  private final Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());

  /** The definition as the first versions wrote it (no enabled, browser, protocol, upstreamProtocol). */
  record FirstFlat(String name, RouteDefinition.Kind kind, String pathPrefix, String subdomain,
      List<String> allowedGroups, List<String> allowedServiceAccounts, String affinity, boolean stripPrefix,
      String healthPath, int healthIntervalSeconds, int connectTimeoutSeconds, int idleTimeoutSeconds,
      long maxRequestBodyBytes, String deployment, String project, Instant createdAt, Instant updatedAt)
      implements CborSerializable {}

  /** The last flat definition, with every field. */
  record LastFlat(String name, RouteDefinition.Kind kind, String pathPrefix, String subdomain,
      List<String> allowedGroups, List<String> allowedServiceAccounts, String affinity, boolean stripPrefix,
      String healthPath, int healthIntervalSeconds, int connectTimeoutSeconds, int idleTimeoutSeconds,
      long maxRequestBodyBytes, String deployment, String project, Instant createdAt, Instant updatedAt,
      Boolean enabled, Boolean browser, String protocol, String upstreamProtocol) implements CborSerializable {}

  record OldRouteDefined(Object definition, Audit audit) implements CborSerializable {}

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Serializes {@code old} and reads the bytes back as the event class of today. */
  private RouteEntity.RouteDefined asToday(Object oldDefinition) {
    OldRouteDefined old = new OldRouteDefined(oldDefinition, new Audit("service-account:gatehouse-admin", AT, "n1"));
    byte[] bytes = serialization.serialize(old).get();
    int id = serialization.findSerializerFor(old).identifier();
    String manifest = Serializers.manifestFor(serialization.findSerializerFor(old), old)
        .replace(OldRouteDefined.class.getName(), RouteEntity.RouteDefined.class.getName());
    return (RouteEntity.RouteDefined) serialization.deserialize(bytes, id, manifest).get();
  }

  @Test
  void aRouteOfTheFirstVersionsReadsWithTheDefaultsOfLaterFields() {
    RouteDefinition d = asToday(new FirstFlat("llm", RouteDefinition.Kind.STATIC, "/llm", null, List.of("ml-team"),
        List.of("partner"), "header:X-Session", false, "/healthz", 7, 3, 120, 2048, null, null, AT, AT)).definition();

    assertThat(d).isEqualTo(RouteDefinition.builder("llm").pathPrefix("/llm").groups("ml-team")
        .serviceAccounts("partner").affinity("header:X-Session").stripPrefix(false).health("/healthz", 7)
        .timeouts(3, 120).maxRequestBodyBytes(2048).times(AT, AT).build());
    assertThat(d.enabled()).isTrue();
    assertThat(d.isBrowser()).isFalse();
    assertThat(d.protocol()).isEqualTo(Protocol.HTTP);
    assertThat(d.upstream().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    assertThat(d.access().registrationProjects()).isEmpty();
  }

  @Test
  void aRouteOfTheLastFlatVersionKeepsEveryField() {
    RouteDefinition d = asToday(new LastFlat("lab", RouteDefinition.Kind.EPHEMERAL, "/deployments/lab", "lab",
        List.of(), List.of(), "consumer", true, "/api", 5, 5, 300, 10, "lab", "research", AT, AT, false, true,
        "http", "h2c")).definition();

    assertThat(d.kind()).isEqualTo(RouteDefinition.Kind.EPHEMERAL);
    assertThat(d.match()).isEqualTo(new RouteDefinition.Match("/deployments/lab", "lab"));
    assertThat(d.owner()).isEqualTo(new RouteDefinition.Owner("lab", "research"));
    assertThat(d.enabled()).isFalse();
    assertThat(d.isBrowser()).isTrue();
    assertThat(d.upstream().protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(d.upstream().health()).isEqualTo(new RouteDefinition.Health("/api", 5));
  }

  @Test
  void aTcpRouteOfTheLastFlatVersionStaysATcpRoute() {
    RouteDefinition d = asToday(new LastFlat("pg", RouteDefinition.Kind.STATIC, null, null, List.of("dba"), List.of(),
        "none", false, null, 5, 5, 300, 0, null, null, AT, AT, true, false, "tcp", "http1")).definition();

    assertThat(d).isEqualTo(RouteDefinition.builder("pg").tcp().groups("dba").affinity("none").times(AT, AT).build());
    assertThat(d.isTcp()).isTrue();
    assertThat(d.checkedByConnecting()).isTrue();
  }

  @Test
  void aRouteInPartsRoundTrips() {
    RouteDefinition d = RouteDefinition.builder("chat").subdomain("chat").groups("a", "b").serviceAccounts("ci")
        .registrationProjects(List.of("llm-prod")).browser(true).upstreamProtocol(UpstreamProtocol.H2)
        .timeouts(9, 99).maxRequestBodyBytes(77).enabled(false).times(AT, AT.plusSeconds(5)).build();
    byte[] bytes = serialization.serialize(d).get();
    int id = serialization.findSerializerFor(d).identifier();
    String manifest = Serializers.manifestFor(serialization.findSerializerFor(d), d);

    assertThat(serialization.deserialize(bytes, id, manifest).get()).isEqualTo(d);
  }
}
