'use strict';
// deploy/: the systemd unit passes `systemd-analyze verify` (where systemd's tools are
// installed), and the sample configuration file starts a server.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startServer, httpRequest, REPO_ROOT } = require('../lib/harness');

const UNIT = path.join(REPO_ROOT, 'deploy', 'cz-messenger.service');
const SAMPLE_CONFIG = path.join(REPO_ROOT, 'deploy', 'cz-messenger.toml');

function hasSystemdAnalyze() {
  return spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0;
}

describe('deploy/', () => {
  it('the systemd unit verifies', { timeout: 30000, skip: !hasSystemdAnalyze() && 'no systemd-analyze' }, () => {
    // The unit names the installed binary; verify checks that ExecStart is executable, so the
    // copy points at the build's.
    const binary = process.env.CZ_BINARY || path.join(REPO_ROOT, 'build', 'cz-messenger');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cz-unit-'));
    try {
      const unit = path.join(dir, 'cz-messenger.service');
      const text = fs.readFileSync(UNIT, 'utf8');
      assert.match(text, /^ExecStart=\/usr\/local\/bin\/cz-messenger --config /m);
      for (const option of ['DynamicUser=yes', 'ProtectSystem=strict', 'NoNewPrivileges=yes',
        'StateDirectory=cz-messenger', 'KillSignal=SIGTERM'])
        assert.match(text, new RegExp(`^${option}$`, 'm'), option);
      fs.writeFileSync(unit, text.replace(/^ExecStart=\/usr\/local\/bin\/cz-messenger/m, `ExecStart=${binary}`));
      const run = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 20000 });
      assert.equal(run.status, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /cz-messenger\.service/, run.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the sample config file starts a server', { timeout: 20000 }, async () => {
    // Only what a test machine must differ in: a loopback port and a store in the temp dir.
    const srv = await startServer({ args: ['--config', SAMPLE_CONFIG], store: 'sqlite-only' });
    try {
      assert.equal((await httpRequest(`${srv.url}/readyz`)).status, 200);
      const first = srv.output().split('\n')[0];
      assert.doesNotThrow(() => JSON.parse(first), `the sample logs JSON: ${first}`);
    } finally {
      await srv.stop();
    }
  });
});
