package io.gatehouse.ops;

import static io.gatehouse.ops.DeployFiles.DEPLOY;
import static io.gatehouse.ops.DeployFiles.YAML;
import static io.gatehouse.ops.DeployFiles.nodeSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart in {@code ops/deploy/helm/gatehouse} as Helm's own engine (helm-java) and
 * Kubernetes' object model (fabric8, parsed strictly) see it, and its README.
 */
class HelmChartTest {
  private static final Path CHART = DEPLOY.resolve("helm/gatehouse");
  private static final String RELEASE = "gw";
  private static final String K8S_NAMESPACE = "gateway";

  @Test
  void helmLintPasses() {
    LintResult lint = new Helm(CHART).lint().strict().call();

    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void theDefaultRenderingIsValidKubernetes() {
    List<HasMetadata> manifests = render(Map.of());

    assertThat(manifests).extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder("Secret", "Service", "Service", "Service", "StatefulSet", "PodDisruptionBudget",
            "NetworkPolicy");
    assertThat(manifests).allSatisfy(m -> assertThat(m.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/instance", RELEASE));
  }

  @Test
  void nodesAreReadyOnReadyAndAliveOnAliveAtTheManagementPort() {
    Container node = container(render(Map.of()));

    assertThat(node.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(node.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("management"));
    assertThat(node.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/alive");
    assertThat(node.getLivenessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("management"));
    assertThat(node.getPorts()).filteredOn(p -> p.getName().equals("management")).singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(7626));
  }

  @Test
  void nodesRunAsNonRootOnAReadOnlyRootWithTheirDataDirectoryInAnEmptyDir() {
    StatefulSet set = one(render(Map.of()), StatefulSet.class);
    var pod = set.getSpec().getTemplate().getSpec();
    Container node = pod.getContainers().get(0);

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(node.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(node.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(node.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(env(node)).containsEntry("GATEHOUSE_DATA_DIR", "/var/lib/gatehouse");
    assertThat(node.getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath())
        .contains("data:/var/lib/gatehouse", "tmp:/tmp");
    assertThat(pod.getVolumes()).filteredOn(v -> List.of("data", "tmp").contains(v.getName()))
        .hasSize(2).allSatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void nodesFindEachOtherThroughTheHeadlessServiceIncludingNodesNotReadyYet() {
    List<HasMetadata> manifests = render(Map.of());
    Service nodes = named(manifests, Service.class, "gw-gatehouse-nodes");
    StatefulSet set = one(manifests, StatefulSet.class);
    Map<String, String> env = env(container(manifests));

    assertThat(nodes.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(nodes.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(nodes.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactlyInAnyOrder(7626, 7355);
    assertThat(nodes.getSpec().getSelector()).isEqualTo(set.getSpec().getSelector().getMatchLabels());
    assertThat(set.getSpec().getServiceName()).isEqualTo("gw-gatehouse-nodes");
    assertThat(env).containsEntry("GATEHOUSE_DISCOVERY", "dns")
        .containsEntry("GATEHOUSE_DISCOVERY_DNS_NAME", "gw-gatehouse-nodes.gateway.svc.cluster.local");
    assertThat(container(manifests).getEnv()).filteredOn(e -> e.getName().equals("GATEHOUSE_HOST")).singleElement()
        .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP"));
  }

  @Test
  void theGracePeriodOutlastsTheDrainAndAShorterOneIsRefused() {
    StatefulSet set = one(render(Map.of()), StatefulSet.class);

    assertThat(set.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(45L);
    assertThat(env(container(render(Map.of())))).containsEntry("GATEHOUSE_DRAIN_PERIOD", "5s");
    assertThatThrownBy(() -> render(Map.of("terminationGracePeriodSeconds", "15")))
        .hasMessageContaining("terminationGracePeriodSeconds must exceed");
  }

  @Test
  void aVoluntaryDisruptionTakesOneNodeAtATime() {
    PodDisruptionBudget pdb = one(render(Map.of()), PodDisruptionBudget.class);

    assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    assertThat(one(render(Map.of("podDisruptionBudget.maxUnavailable", "", "podDisruptionBudget.minAvailable", "2")),
        PodDisruptionBudget.class).getSpec().getMinAvailable()).isEqualTo(new IntOrString(2));
  }

  @Test
  void onlyTheDataPlaneIsOpenToEveryoneAndTheAdminPortToTheSelectedPods() {
    NetworkPolicy policy = one(render(Map.of()), NetworkPolicy.class);
    List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();

    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(rules).filteredOn(r -> r.getFrom() == null || r.getFrom().isEmpty()).singleElement()
        .satisfies(open -> assertThat(ports(open)).containsExactly(8080));
    assertThat(rules).filteredOn(r -> ports(r).contains(7626)).singleElement().satisfies(cluster -> {
      assertThat(ports(cluster)).containsExactlyInAnyOrder(7626, 7355);
      assertThat(cluster.getFrom().get(0).getPodSelector().getMatchLabels())
          .isEqualTo(policy.getSpec().getPodSelector().getMatchLabels());
    });
    assertThat(rules).filteredOn(r -> ports(r).contains(9090)).singleElement().satisfies(admin -> {
      assertThat(ports(admin)).containsExactly(9090);
      assertThat(admin.getFrom().get(0).getPodSelector().getMatchLabels())
          .containsEntry("gatehouse.io/admin-client", "true");
    });
  }

  @Test
  void theAdminPortCanBeOpenedToPodsOfAnotherNamespace() {
    NetworkPolicy policy = one(render(Map.of(
        "networkPolicy.admin.namespaceSelector.matchLabels.team", "ml-platform",
        "networkPolicy.admin.podSelector.matchLabels.app", "registrar")), NetworkPolicy.class);

    var admin = policy.getSpec().getIngress().stream().filter(r -> ports(r).contains(9090)).findFirst().orElseThrow();
    assertThat(admin.getFrom().get(0).getNamespaceSelector().getMatchLabels()).containsEntry("team", "ml-platform");
    assertThat(admin.getFrom().get(0).getPodSelector().getMatchLabels()).containsEntry("app", "registrar");
  }

  @Test
  void theDatabaseAndTheBootstrapTokenComeFromTheChartsSecretOrAnExistingOne() {
    List<HasMetadata> manifests = render(Map.of("database.password", "s3cret", "bootstrapToken", "gth_x"));
    Secret secret = one(manifests, Secret.class);

    assertThat(secret.getStringData()).containsOnlyKeys("db-url", "db-user", "db-password", "bootstrap-token")
        .containsEntry("db-password", "s3cret");
    assertThat(container(manifests).getEnv()).filteredOn(e -> e.getName().matches("GATEHOUSE_(DB_.*|BOOTSTRAP_TOKEN)"))
        .hasSize(4).allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("gw-gatehouse"));

    List<HasMetadata> existing = render(Map.of("existingSecret", "gatehouse-prod"));
    assertThat(existing).noneMatch(Secret.class::isInstance);
    assertThat(container(existing).getEnv()).filteredOn(e -> e.getName().startsWith("GATEHOUSE_DB_"))
        .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("gatehouse-prod"));
  }

  @Test
  void everyVariableTheChartSetsIsOneTheNodeReads() throws IOException {
    Map<String, String> env = env(container(render(Map.of("tls.secretName", "gw-tls", "gatehouse.publicUrl",
        "https://gw.example.com", "gatehouse.baseDomain", "gw.example.com"))));
    String settings = nodeSettings();

    assertThat(env.keySet()).hasSizeGreaterThan(15);
    assertThat(env.keySet()).allSatisfy(name -> assertThat(settings).as(name).contains("${?" + name + "}"));
  }

  @Test
  void theServiceMonitorIsOffByDefaultAndScrapesMetricsOnTheAdminPortWhenOn() {
    assertThat(render(Map.of())).noneMatch(m -> m.getKind().equals("ServiceMonitor"));

    List<HasMetadata> manifests = render(Map.of("monitoring.serviceMonitor.enabled", "true",
        "monitoring.serviceMonitor.labels.release", "prometheus"));
    GenericKubernetesResource monitor = one(manifests, GenericKubernetesResource.class);
    Service admin = named(manifests, Service.class, "gw-gatehouse-admin");

    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getKind()).isEqualTo("ServiceMonitor");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    Map<String, Object> endpoint = monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0);
    assertThat(endpoint).containsEntry("port", "admin").containsEntry("path", "/metrics");
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    assertThat(selector).containsEntry("app.kubernetes.io/component", "admin");
    assertThat(admin.getMetadata().getLabels()).containsAllEntriesOf(selector);
    assertThat(named(manifests, Service.class, "gw-gatehouse").getMetadata().getLabels())
        .as("the data plane's Service is not scraped").doesNotContainEntry("app.kubernetes.io/component", "admin");
    assertThat(admin.getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("admin");
    assertThat(one(manifests, NetworkPolicy.class).getSpec().getIngress())
        .filteredOn(r -> ports(r).contains(9090)).hasSize(2);
  }

  @Test
  void theChartsReadmeDocumentsEveryValueAndNoOther() throws IOException {
    List<String> leaves = new ArrayList<>();
    collectLeaves("", YAML.readTree(CHART.resolve("values.yaml").toFile()), leaves);
    List<String> documented = new ArrayList<>();
    Matcher row = Pattern.compile("(?m)^\\| `([A-Za-z0-9.]+)` \\|")
        .matcher(Files.readString(CHART.resolve("README.md")));
    while (row.find()) {
      documented.add(row.group(1));
    }

    assertThat(leaves).allSatisfy(leaf -> assertThat(documented).as(leaf)
        .anyMatch(d -> leaf.equals(d) || leaf.startsWith(d + ".")));
    assertThat(documented).allSatisfy(d -> assertThat(leaves).as(d)
        .anyMatch(leaf -> leaf.equals(d) || leaf.startsWith(d + ".")));
  }

  @Test
  void strictParsingRefusesAFieldKubernetesDoesNotKnow() {
    String misspelled = """
        apiVersion: v1
        kind: Service
        metadata:
          name: x
        spec:
          publishNotReadyAdresses: true
        """;

    assertThatThrownBy(() -> KubernetesManifests.parse(misspelled)).hasMessageContaining("publishNotReadyAdresses");
  }

  // Helpers

  private List<HasMetadata> render(Map<String, String> values) {
    var template = new Helm(CHART).template().withName(RELEASE).withNamespace(K8S_NAMESPACE);
    values.forEach(template::set);
    return KubernetesManifests.parse(template.call());
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> manifests, Class<T> type) {
    List<T> found = manifests.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static <T extends HasMetadata> T named(List<HasMetadata> manifests, Class<T> type, String name) {
    return manifests.stream().filter(type::isInstance).map(type::cast)
        .filter(m -> m.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  private static Container container(List<HasMetadata> manifests) {
    return one(manifests, StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  /** The container's environment: its value, or where the value comes from. */
  private static Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : container.getEnv()) {
      env.put(e.getName(), e.getValue() != null ? e.getValue() : String.valueOf(e.getValueFrom()));
    }
    return env;
  }

  /** The dotted paths of a values file's leaves; an empty map or a list is a leaf. */
  private static void collectLeaves(String prefix, JsonNode node, List<String> out) {
    if (node.isObject() && !node.isEmpty()) {
      node.properties().forEach(f -> collectLeaves(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(),
          f.getValue(), out));
    } else {
      out.add(prefix);
    }
  }

  private static List<Integer> ports(NetworkPolicyIngressRule rule) {
    return rule.getPorts().stream().map(NetworkPolicyPort::getPort).map(IntOrString::getIntVal).toList();
  }
}
