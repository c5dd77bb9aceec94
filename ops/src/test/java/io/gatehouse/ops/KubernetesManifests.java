package io.gatehouse.ops;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.jackson.Jackson2JdkTypesModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.AnnotatedMember;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads rendered Kubernetes manifests into fabric8's model, strictly: a field the API does not have
 * fails, where fabric8 would keep it quietly in {@code additionalProperties} (every model class
 * has a {@code @JsonAnySetter}), and a kind of a core API group that the model does not know fails
 * too. Kinds of custom resources (the Prometheus Operator's) are read as
 * {@link GenericKubernetesResource}.
 */
final class KubernetesManifests {
  /** API groups of custom resources, read as generic resources. */
  private static final List<String> CUSTOM_GROUPS = List.of("monitoring.coreos.com/");

  private static final KubernetesSerialization STRICT = new KubernetesSerialization(
      JsonMapper.builderWithJackson2Defaults()
          .addModule(new Jackson2JdkTypesModule())
          .annotationIntrospector(new NoAnySetterOnTheModel())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build(),
      true);
  private static final KubernetesSerialization GENERIC = new KubernetesSerialization();
  private static final YAMLMapper YAML = new YAMLMapper();

  private KubernetesManifests() {}

  /** Every document of a multi-document YAML stream (empty documents are skipped). */
  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    try (MappingIterator<Map<String, Object>> documents = YAML.readerForMapOf(Object.class).readValues(yaml)) {
      while (documents.hasNextValue()) {
        Map<String, Object> manifest = documents.nextValue();
        if (manifest != null && !manifest.isEmpty()) {
          out.add(parseOne(manifest));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static HasMetadata parseOne(Map<?, ?> manifest) {
    String apiVersion = String.valueOf(manifest.get("apiVersion"));
    String json = GENERIC.asJson(manifest);
    if (CUSTOM_GROUPS.stream().anyMatch(apiVersion::startsWith)) {
      return GENERIC.unmarshal(json, GenericKubernetesResource.class);
    }
    HasMetadata parsed;
    try {
      parsed = STRICT.unmarshal(json, HasMetadata.class);
    } catch (KubernetesClientException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalArgumentException(manifest.get("kind") + " " + name(manifest) + ": " + cause.getMessage(), e);
    }
    if (parsed instanceof GenericKubernetesResource) {
      throw new IllegalArgumentException("the Kubernetes model has no " + manifest.get("kind") + " in " + apiVersion);
    }
    return parsed;
  }

  private static Object name(Map<?, ?> manifest) {
    return manifest.get("metadata") instanceof Map<?, ?> metadata ? metadata.get("name") : null;
  }

  /** Leaves fabric8's model classes without their catch-all setter, so that unknown fields fail. */
  private static final class NoAnySetterOnTheModel extends JacksonAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
      if (a instanceof AnnotatedMember member
          && member.getDeclaringClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
        return Boolean.FALSE;
      }
      return super.hasAnySetter(config, a);
    }
  }
}
