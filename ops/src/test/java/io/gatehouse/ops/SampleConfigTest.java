package io.gatehouse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.NodeSettings;
import io.gatehouse.persistence.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The sample files an operator edits must mean what they say to a real node's settings. */
class SampleConfigTest {
  private static final Path CONFIG = Path.of("config");

  @Test
  void theHoconSampleIsReadByTheNodeAsWritten() {
    Config config = ConfigFactory.load(ConfigFactory.parseFile(CONFIG.resolve("gatehouse.conf").toFile())
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
    NodeSettings settings = NodeSettings.from(config);

    assertThat(settings.namespace()).isEqualTo("prod");
    assertThat(settings.store()).isInstanceOf(StoreSettings.Postgres.class);
    assertThat(settings.cluster().seedNodes()).containsExactly("10.0.0.10:7355", "10.0.0.11:7355", "10.0.0.12:7355");
    assertThat(settings.tokens().maxExpiryDays()).isEqualTo(90);
    assertThat(config.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("10.0.0.10");
  }

  @Test
  void everyVariableOfTheEnvSampleIsOneTheNodeReads() throws IOException {
    String application = new String(
        getClass().getClassLoader().getResourceAsStream("gateway.conf").readAllBytes())
        + new String(getClass().getClassLoader().getResourceAsStream("cluster.conf").readAllBytes());
    Map<String, String> variables = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^#?(GATEHOUSE_[A-Z_]+)=(.*)$").matcher(Files.readString(CONFIG.resolve("gatehouse.env")));
    while (m.find()) {
      variables.put(m.group(1), m.group(2));
    }

    assertThat(variables).hasSizeGreaterThan(10);
    variables.keySet().forEach(name -> assertThat(application).as(name).contains("${?" + name + "}"));
  }

  @Test
  void theEnvSampleDefaultsAreTheNodeDefaults() throws IOException {
    Config defaults = ConfigFactory.load(ConfigFactory.parseResourcesAnySyntax("application"));
    Config fromSample = ConfigFactory.empty();
    Map<String, String> keys = Map.of(
        "GATEHOUSE_NAMESPACE", "gatehouse.namespace",
        "GATEHOUSE_HTTP_PORT", "gatehouse.http-port",
        "GATEHOUSE_ADMIN_PORT", "gatehouse.admin-port",
        "GATEHOUSE_MANAGEMENT_PORT", "gatehouse.management-port",
        "GATEHOUSE_REMOTE_PORT", "gatehouse.remote-port",
        "GATEHOUSE_TOKEN_MAX_EXPIRY_DAYS", "gatehouse.tokens.max-expiry-days");
    for (String line : Files.readAllLines(CONFIG.resolve("gatehouse.env"))) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && eq > 0 && keys.containsKey(line.substring(0, eq))) {
        fromSample = fromSample.withValue(keys.get(line.substring(0, eq)),
            ConfigValueFactory.fromAnyRef(line.substring(eq + 1)));
      }
    }
    assertThat(fromSample.entrySet()).hasSize(keys.size());
    fromSample.entrySet().forEach(e ->
        assertThat(defaults.getString(e.getKey())).as(e.getKey()).isEqualTo(e.getValue().unwrapped().toString()));
  }
}
