// Validates every object of a rendered YAML stream against the Kubernetes (and Prometheus
// Operator) schemas of the kubernetes-models packages. usage: node validate_k8s.mjs FILE...
import fs from "node:fs";
import yaml from "js-yaml";

const modules = {
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "apps/v1/StatefulSet": "kubernetes-models/apps/v1/StatefulSet",
  "networking.k8s.io/v1/Ingress": "kubernetes-models/networking.k8s.io/v1/Ingress",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
  "autoscaling/v2/HorizontalPodAutoscaler": "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "monitoring.coreos.com/v1/ServiceMonitor": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
  "monitoring.coreos.com/v1/PrometheusRule": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
};

let failures = 0, checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(fs.readFileSync(file, "utf8"))) {
    if (!doc) continue;
    const key = `${doc.apiVersion}/${doc.kind}`;
    const path = modules[key];
    if (!path) {
      console.error(`${file}: no schema for ${key}`);
      failures++;
      continue;
    }
    const mod = await import(path);
    const Model = mod[doc.kind] ?? mod.default;
    try {
      new Model(doc).validate();
      checked++;
    } catch (e) {
      console.error(`${file}: ${key} ${doc.metadata?.name}: ${e.message}`);
      failures++;
    }
  }
}
console.log(`kubernetes schemas: ${checked} objects valid, ${failures} failures`);
process.exit(failures ? 1 : 0);
