'use strict';
// Server CPU time and RSS, and the generator's own CPU, over the measured window (as
// cz-loadgen's Measurement in run_context.cpp, with the same report keys).
const { sampleProcess, processName, selfSample } = require('./probe');
const { hrNs } = require('./clock');

class Measurement {
  constructor(serverPid) {
    this.pid = serverPid;
  }

  // Samples now, then the server's RSS every 100 ms until end(), keeping the maximum.
  begin() {
    this.beginNs = hrNs();
    this.serverBegin = sampleProcess(this.pid);
    this.selfBegin = selfSample();
    this.maxKib = this.serverBegin ? this.serverBegin.rss_kib : 0;
    if (this.serverBegin) {
      this.timer = setInterval(() => {
        const s = sampleProcess(this.pid);
        if (s) this.maxKib = Math.max(this.maxKib, s.rss_kib);
      }, 100);
    }
  }

  end() {
    clearInterval(this.timer);
    this.endNs = hrNs();
    this.serverEnd = sampleProcess(this.pid);
    this.selfEnd = selfSample();
    if (this.serverEnd) this.maxKib = Math.max(this.maxKib, this.serverEnd.rss_kib);
  }

  seconds() {
    return (this.endNs - this.beginNs) / 1e9;
  }

  // window_s, server_cpu_us, server_cpu_us_per_<unit>, server_cpu_pct, server_rss_*,
  // loadgen_cpu_pct, loadgen_rss_kib.
  write(report, units, unitName) {
    const wallUs = (this.endNs - this.beginNs) / 1000;
    report.window_s = Math.round(wallUs / 1e3) / 1e3;
    if (this.serverBegin && this.serverEnd) {
      report.server_process = processName(this.pid);
      const cpu = this.serverEnd.cpu_us - this.serverBegin.cpu_us;
      report.server_cpu_us = cpu;
      report[`server_cpu_us_per_${unitName}`] = units > 0 ? Math.round((cpu / units) * 100) / 100 : null;
      report.server_cpu_pct = Math.round((cpu / wallUs) * 1000) / 10;
      report.server_rss_begin_kib = this.serverBegin.rss_kib;
      report.server_rss_end_kib = this.serverEnd.rss_kib;
      report.server_rss_max_kib = this.maxKib;
      report.server_threads = this.serverEnd.threads;
    } else {
      report.server_cpu_us = null;
      report[`server_cpu_us_per_${unitName}`] = null;
    }
    const selfCpu = this.selfEnd.cpu_us - this.selfBegin.cpu_us;
    report.loadgen_cpu_pct = Math.round((selfCpu / wallUs) * 1000) / 10;
    report.loadgen_rss_kib = this.selfEnd.rss_kib;
  }
}

module.exports = { Measurement };
