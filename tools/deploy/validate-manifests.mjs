// Validates deploy/kubernetes/*.yaml against the Kubernetes API's OpenAPI schemas, offline, with
// kubernetes-models (the schemas of Kubernetes' own API, compiled to validators; ESM only, hence a
// script of its own). Prints one JSON line per manifest: {file, kind, valid, error?}; exit 1 if any
// is invalid. Usage: node tools/deploy/validate-manifests.mjs [FILE.yaml ...]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';

const MODELS = { 'batch/v1 Job': Job, 'v1 Secret': Secret, 'v1 Service': Service, 'v1 PersistentVolumeClaim': PersistentVolumeClaim };
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'kubernetes');
const files = process.argv.length > 2 ? process.argv.slice(2) : fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f));
let bad = 0;
for (const file of files) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const obj = doc.toJSON();
    const Model = MODELS[`${obj?.apiVersion} ${obj?.kind}`];
    let error;
    if (!Model) error = `no schema wired for ${obj?.apiVersion} ${obj?.kind}`;
    else {
      try {
        new Model(obj).validate();
      } catch (e) {
        error = String(e.message ?? e).split('\n').slice(0, 4).join(' ');
      }
    }
    if (error) bad++;
    console.log(JSON.stringify({ file: path.basename(file), kind: obj?.kind, valid: !error, ...(error ? { error } : {}) }));
  }
}
process.exit(bad ? 1 : 0);
