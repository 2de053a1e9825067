'use strict';
// Everything a run counts (the fields of cz-loadgen's ConversationTally); each worker's tally
// is merged into one report by the main thread.

function emptyTally() {
  return {
    clients: 0, connected: 0, connect_failures: 0, dropped: 0,
    conversations: 0, rooms_answered: 0, room_errors: 0,
    sent: 0, acked: 0, refused: 0, unacked: 0, delivered: 0,
    lost: 0, lost_deliveries: 0, duplicates: 0, out_of_order: 0,
    misdelivered: 0, echoes: 0,
    send_begin_ns: 0, send_end_ns: 0, max_send_lag_ns: 0,
    first_error: '', first_drop: '',
  };
}

const SUMMED = [
  'clients', 'connected', 'connect_failures', 'dropped', 'conversations', 'rooms_answered',
  'room_errors', 'sent', 'acked', 'refused', 'unacked', 'delivered', 'lost', 'lost_deliveries',
  'duplicates', 'out_of_order', 'misdelivered', 'echoes',
];

function mergeTally(into, o) {
  for (const k of SUMMED) into[k] += o[k];
  into.send_begin_ns = into.send_begin_ns ? Math.min(into.send_begin_ns, o.send_begin_ns) : o.send_begin_ns;
  into.send_end_ns = Math.max(into.send_end_ns, o.send_end_ns);
  into.max_send_lag_ns = Math.max(into.max_send_lag_ns, o.max_send_lag_ns);
  if (!into.first_error) into.first_error = o.first_error;
  if (!into.first_drop) into.first_drop = o.first_drop;
  return into;
}

function isClean(t) {
  return (
    t.lost === 0 && t.unacked === 0 && t.refused === 0 && t.duplicates === 0 && t.out_of_order === 0 &&
    t.misdelivered === 0 && t.room_errors === 0 && t.rooms_answered === t.conversations &&
    t.connect_failures === 0 && t.dropped === 0 && t.sent > 0
  );
}

module.exports = { emptyTally, mergeTally, isClean };
