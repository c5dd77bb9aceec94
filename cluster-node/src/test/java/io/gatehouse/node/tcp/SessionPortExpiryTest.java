package io.gatehouse.node.tcp;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.testing.EchoServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.MutableClock;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session port ends at its expiresAt (by the node's clock), and never outlives its token. */
class SessionPortExpiryTest {
  @TempDir Path dataDir;

  @Test
  void aSessionPortEndsAtItsExpiryWithItsConnections() throws Exception {
    MutableClock clock = MutableClock.ticking();
    int first = 20000 + ThreadLocalRandom.current().nextInt(900) * 10;
    try (EchoServer echo = new EchoServer();
        Gateway g = new Gateway(TestNodes.h2(dataDir)
            .withValue("gatehouse.tcp.ports", ConfigValueFactory.fromAnyRef(first + "-" + (first + 4))), clock)) {
      String team = g.group();
      String project = g.project(List.of(team), List.of());
      assertThat(g.admin.post("/api/v1/routes", json("{'name':'db','protocol':'tcp','allowedGroups':['%s']}", team))
          .status()).isEqualTo(201);
      assertThat(g.admin.post("/api/v1/registrations", json("{'deployment':'db','project':'%s','route':'db',"
          + "'address':'127.0.0.1:%d','protocol':'tcp','namespace':'test','leaseSeconds':3600}", project, echo.port()))
          .status()).isEqualTo(201);
      g.awaitHealthy("db", 1);
      Gateway.Token token = g.userToken(g.user(team));

      JsonNode session = Gateway.body(g.send("POST", "/_gatehouse/tcp-sessions", token.secret(),
          json("{'route':'db','ttlMinutes':10}")));
      Socket s = new Socket("127.0.0.1", session.path("port").asInt());
      s.setSoTimeout(5000);
      s.getOutputStream().write(7);
      assertThat(s.getInputStream().read()).isEqualTo(7);

      clock.advance(Duration.ofMinutes(11));
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      s.close();
      await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThatThrownBy(
          () -> new Socket("127.0.0.1", session.path("port").asInt()).close()).isInstanceOf(IOException.class));

      // Never past the token: one with an hour left caps a session asked for a day.
      var issued = g.admin.post("/api/v1/tokens", json("{'label':'short','expiresInDays':1,"
          + "'principal':{'type':'user','name':'%s'}}", g.user(team)));
      Instant tokenExpiry = Instant.parse(issued.json().path("expiresAt").asText());
      clock.advance(Duration.ofHours(23));
      JsonNode capped = Gateway.body(g.send("POST", "/_gatehouse/tcp-sessions", issued.json().path("token").asText(),
          json("{'route':'db','ttlMinutes':1440}")));
      assertThat(Instant.parse(capped.path("expiresAt").asText())).isEqualTo(tokenExpiry);
    }
  }
}
