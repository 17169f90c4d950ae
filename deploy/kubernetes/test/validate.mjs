// Renders every kustomize overlay of deploy/kubernetes and checks each object:
//  - against the Kubernetes JSON schemas that kubernetes-models carries (its pinned version,
//    package-lock.json), which check types, required fields and enumerations;
//  - for fields the schemas do not know (a misspelt "readinesProbe" passes a schema check, and
//    the API server would drop it), by walking the object along the models' type declarations;
//  - CloudNativePG's Cluster, which kubernetes-models does not cover, field by field.
// Usage: node validate.mjs   (KUBECTL names kubectl when it is not on PATH)
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const modules = join(here, "node_modules");
const kubectl = process.env.KUBECTL || "kubectl";
const targets = ["base", "overlays/dev", "overlays/prod"];
const problems = [];

function render(dir) {
  return execFileSync(kubectl, ["kustomize", join(root, dir)], { encoding: "utf8" });
}

function modelPath(apiVersion, kind) {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

// ---- Type declarations: interface name -> { property -> type text } ---------------------------
const declarations = new Map();

function declarationsOf(modulePath) {
  if (declarations.has(modulePath)) return declarations.get(modulePath);
  const file = join(modules, modulePath + ".d.ts");
  const parsed = { interfaces: new Map(), imports: new Map() };
  declarations.set(modulePath, parsed);
  if (!existsSync(file)) return parsed;
  const text = readFileSync(file, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
  for (const m of text.matchAll(/import \{ ([^}]+) \} from "([^"]+)";/g)) {
    const from = m[2].startsWith(".") ? join(dirname(modulePath), m[2]) : m[2];
    for (const name of m[1].split(",").map((s) => s.trim())) parsed.imports.set(name, from);
  }
  for (const m of text.matchAll(/export interface (\w+)(?: extends [\w, ]+)? \{/g)) {
    // The body runs to the matching brace.
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    while (depth > 0 && i < text.length) {
      if (text[i] === "{") depth++;
      if (text[i] === "}") depth--;
      i++;
    }
    parsed.interfaces.set(m[1], properties(text.slice(start, i - 1)));
  }
  return parsed;
}

/** Top-level properties of an interface body: "name"?: type; (types may span lines). */
function properties(body) {
  const props = new Map();
  let depth = 0;
  let current = "";
  for (const ch of body) {
    if (ch === "{" || ch === "<") depth++;
    if (ch === "}" || ch === ">") depth--;
    if (ch === ";" && depth === 0) {
      const m = current.trim().match(/^"([^"]+)"\??:\s*([\s\S]+)$/);
      if (m) props.set(m[1], m[2].trim());
      current = "";
    } else {
      current += ch;
    }
  }
  return props;
}

/** The interface a type name refers to, from the module that uses it (each model file declares one). */
function resolve(name, modulePath) {
  const own = declarationsOf(modulePath);
  if (own.interfaces.has(name)) return { module: modulePath, props: own.interfaces.get(name) };
  const from = own.imports.get(name);
  if (!from) return null;
  const first = declarationsOf(from).interfaces.entries().next().value;
  return first ? { module: from, props: first[1] } : null;
}

function walk(value, type, modulePath, path) {
  type = type.trim();
  if (value === null || value === undefined) return;
  const array = type.match(/^Array<([\s\S]+)>$/);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, array[1], modulePath, `${path}[${i}]`));
    return;
  }
  const map = type.match(/^\{\s*\[key: string\]:\s*([\s\S]+?);?\s*\}$/);
  if (map) {
    if (typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, map[1], modulePath, `${path}.${k}`);
    return;
  }
  if (!/^I\w+$/.test(type) || typeof value !== "object" || Array.isArray(value)) return;
  const target = resolve(type, modulePath);
  if (!target) return;
  for (const [key, child] of Object.entries(value)) {
    if (!target.props.has(key)) {
      problems.push(`${path}.${key}: not a field of ${type.replace(/^IIoK8s/, "")}`);
    } else {
      walk(child, target.props.get(key), target.module, `${path}.${key}`);
    }
  }
}

// ---- CloudNativePG Cluster, field by field (postgresql.cnpg.io/v1) -------------------------------
const clusterSpec = new Set(["affinity", "backup", "bootstrap", "certificates", "description",
  "enableSuperuserAccess", "env", "envFrom", "externalClusters", "failoverDelay", "imageName",
  "imagePullPolicy", "imagePullSecrets", "inheritedMetadata", "instances", "logLevel", "managed",
  "maxSyncReplicas", "minSyncReplicas", "monitoring", "nodeMaintenanceWindow", "postgresGID", "postgresUID",
  "postgresql", "primaryUpdateMethod", "primaryUpdateStrategy", "priorityClassName", "projectedVolumeTemplate",
  "replica", "replicationSlots", "resources", "schedulerName", "seccompProfile", "serviceAccountTemplate",
  "smartShutdownTimeout", "startDelay", "stopDelay", "storage", "superuserSecret", "switchoverDelay",
  "tablespaces", "topologySpreadConstraints", "walStorage", "managed", "plugins", "probes"]);
const quantity = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;

function checkCluster(c, at) {
  const spec = c.spec || {};
  const fail = (m) => problems.push(`${at}: ${m}`);
  for (const key of Object.keys(spec)) if (!clusterSpec.has(key)) fail(`spec.${key} is not a Cluster field`);
  if (!Number.isInteger(spec.instances) || spec.instances < 1) fail("spec.instances must be an integer of 1 or more");
  if (!spec.storage || !quantity.test(String(spec.storage.size))) fail("spec.storage.size must be a quantity");
  if (spec.walStorage && !quantity.test(String(spec.walStorage.size))) fail("spec.walStorage.size must be a quantity");
  const initdb = spec.bootstrap?.initdb;
  if (!initdb || typeof initdb.database !== "string" || typeof initdb.owner !== "string") {
    fail("spec.bootstrap.initdb needs database and owner");
  }
  for (const [k, v] of Object.entries(spec.postgresql?.parameters || {})) {
    if (typeof v !== "string") fail(`spec.postgresql.parameters.${k} must be a string`);
  }
  if (spec.primaryUpdateStrategy && !["unsupervised", "supervised"].includes(spec.primaryUpdateStrategy)) {
    fail("spec.primaryUpdateStrategy must be unsupervised or supervised");
  }
  if (spec.enableSuperuserAccess !== undefined && typeof spec.enableSuperuserAccess !== "boolean") {
    fail("spec.enableSuperuserAccess must be a boolean");
  }
  for (const part of ["requests", "limits"]) {
    for (const [k, v] of Object.entries(spec.resources?.[part] || {})) {
      if (!quantity.test(String(v))) fail(`spec.resources.${part}.${k} must be a quantity`);
    }
  }
}

// ---- Every object of every overlay --------------------------------------------------------------
async function check(source, text) {
  let count = 0;
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS();
    if (!object) continue;
    count++;
    const at = `${source}: ${object.kind}/${object.metadata?.name}`;
    if (object.apiVersion === "postgresql.cnpg.io/v1" && object.kind === "Cluster") {
      checkCluster(object, at);
      continue;
    }
    const path = modelPath(object.apiVersion, object.kind);
    let Model;
    try {
      Model = (await import(path))[object.kind];
    } catch (e) {
      problems.push(`${at}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (e) {
      problems.push(`${at}: ${e.message}`);
    }
    const top = `I${object.kind}`;
    walk(object, top, path, at);
  }
  return count;
}

let total = 0;
for (const target of targets) {
  const n = await check(target, render(target));
  console.log(`${target}: ${n} objects`);
  total += n;
}
total += await check("base/secret.example.yaml", readFileSync(join(root, "base/secret.example.yaml"), "utf8"));

if (problems.length) {
  console.error(problems.map((p) => "  " + p).join("\n"));
  console.error(`manifests: ${problems.length} problems in ${total} objects`);
  process.exit(1);
}
console.log(`manifests: ${total} objects valid`);
