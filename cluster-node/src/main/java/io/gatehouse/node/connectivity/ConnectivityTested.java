package io.gatehouse.node.connectivity;

import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.Audited;
import java.util.LinkedHashMap;
import java.util.Map;

/** The audit record of one connectivity test: {@code connectivity.tested}, with each step's outcome. */
record ConnectivityTested(Audit audit, String run, ConnectivityTest.Result result) implements Audited {
  @Override
  public String auditType() {
    return "connectivity.tested";
  }

  @Override
  public String subject() {
    return "node:" + result.node();
  }

  @Override
  public Map<String, Object> detail() {
    Map<String, Object> steps = new LinkedHashMap<>();
    result.steps().forEach(s -> steps.put(s.name(), s.ok() ? "ok" : "failed: " + s.detail()));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("ok", result.ok());
    d.put("run", run);
    d.put("steps", steps);
    return d;
  }
}
