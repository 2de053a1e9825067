'use strict';
// Reads a process's CPU time and memory from /proc, as cz-loadgen's server_probe.cpp does, so
// that cost per message is measured on the server itself (meaningful on a noisy machine).
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

// The kernel's clock tick (USER_HZ): /proc/PID/stat counts CPU time in it. Node has no
// sysconf(); getconf asks libc, which is what cz-loadgen's sysconf(_SC_CLK_TCK) returns.
function clockTicksPerSecond() {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(ticks) && ticks > 0) return ticks;
  } catch {
    // fall through: 100 is USER_HZ on every Linux architecture we run on
  }
  return 100;
}

const TICKS_PER_SECOND = clockTicksPerSecond();

function statusKib(path, key) {
  const text = fs.readFileSync(path, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(key));
  return line ? parseInt(line.slice(key.length), 10) : 0;
}

// { cpu_us (utime + stime of all threads, dead ones included), rss_kib, threads } or null.
function sampleProcess(pid) {
  if (!(pid > 0)) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const field = (n) => Number(fields[n - 3]);
    return {
      cpu_us: Math.round(((field(14) + field(15)) * 1e6) / TICKS_PER_SECOND),
      rss_kib: statusKib(`/proc/${pid}/status`, 'VmRSS:'),
      threads: field(20),
    };
  } catch {
    return null;
  }
}

// The process's command name: shows in the results which process was sampled.
function processName(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

// The generator itself, all threads (workers included).
function selfSample() {
  const usage = process.cpuUsage();
  return { cpu_us: usage.user + usage.system, rss_kib: statusKib('/proc/self/status', 'VmRSS:') };
}

module.exports = { sampleProcess, processName, selfSample };
