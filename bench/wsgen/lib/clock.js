'use strict';
// A monotonic clock in ns shared by all threads (performance.now() has an origin per worker):
// for phase boundaries, not per message.
const hrNs = () => Number(process.hrtime.bigint());

module.exports = { hrNs };
