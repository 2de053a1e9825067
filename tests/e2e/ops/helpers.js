'use strict';
// Shared by the operations e2e tests: scraping GET /metrics and reading it with the Prometheus
// project's own parser (python3-prometheus-client, installed by scripts/setup.sh), and polling
// a condition (lib/util.js's waitUntil, re-exported).
const { spawnSync } = require('node:child_process');
const assert = require('node:assert/strict');
const { httpRequest } = require('../lib/harness');
const { waitUntil } = require('../lib/util');

// Reads exposition text on stdin with prometheus_client.parser and prints the families as JSON
// (non-finite values as strings: JSON has no Infinity).
const PARSE_SCRIPT = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
def value(v):
    return v if math.isfinite(v) else repr(v)
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    out.append({
        "name": family.name, "type": family.type, "help": family.documentation,
        "samples": [{"name": s.name, "labels": s.labels, "value": value(s.value)}
                    for s in family.samples],
    })
json.dump(out, sys.stdout)
`;

// Debian's interpreter, the one python3-prometheus-client installs for (a python3 earlier in
// PATH, pyenv's say, would not have it).
const PYTHON = process.env.CZ_PYTHON || '/usr/bin/python3';

// The families of `text`; throws with the parser's error when the text does not parse.
function parseMetrics(text) {
  const result = spawnSync(PYTHON, ['-c', PARSE_SCRIPT], { input: text, encoding: 'utf8', timeout: 30000 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`prometheus_client could not parse /metrics:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

// GET /metrics, checked and parsed: {families, text, headers}.
async function scrape(srv) {
  const res = await httpRequest(`${srv.url}/metrics`);
  assert.equal(res.status, 200, res.body);
  return { families: parseMetrics(res.body), text: res.body, headers: res.headers };
}

// The value of the sample `name` whose labels include `labels`; undefined when there is none.
function sample(families, name, labels = {}) {
  for (const family of families) {
    for (const s of family.samples) {
      if (s.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}

module.exports = { parseMetrics, scrape, sample, waitUntil };
