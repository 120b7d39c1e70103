// The Hocuspocus side of the comparison's load generator: the same workloads as
// `peerwall-bench` (boards × clients, Poisson arrivals, create 50% / move 35% / edit 15%), with
// one Y.Array of notes (each a Y.Map) per board, clients through @hocuspocus/provider + yjs.
// Yjs clients are CPU-hungry (each applies every update), so the clients are spread over worker
// threads (two by default, like the Rust generator's two tokio workers) and one core does not
// cap the figures.
//
// node load.mjs '<json plan>' where the plan is
//   {"url":"ws://127.0.0.1:PORT","boards":B,"clients":C,"steps":[[rate,seconds],…],
//    "out":"file.json","system":"…","workload":"…","workers":2}
// Prints "measuring", then "step <i>" after each step, "sent", then "done"; writes the result.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// One clock for every thread: milliseconds since the epoch, sub-millisecond precision.
const clock = () => performance.timeOrigin + performance.now();

if (isMainThread) {
  await main(JSON.parse(process.argv[2]));
} else {
  await worker(workerData);
}

async function main(plan) {
  const count = Math.max(1, plan.workers ?? 2);
  const hardStop = clock() + 1000 * (plan.steps.reduce((s, [, secs]) => s + secs, 0) + 180);
  const workers = [];
  for (let index = 0; index < count; index++) {
    const thread = new Worker(new URL(import.meta.url), { workerData: { plan, index, count } });
    const state = { thread, synced: false, progress: { sent: 0, expected: 0, received: 0, unsynced: 0 }, result: null };
    thread.on('message', (message) => {
      if (message.type === 'synced') state.synced = true;
      if (message.type === 'progress') state.progress = message;
      if (message.type === 'result') state.result = message;
    });
    thread.on('error', (error) => { console.error(error); process.exit(1); });
    workers.push(state);
  }
  const waitFor = async (condition, limitMs) => {
    const until = Math.min(clock() + limitMs, hardStop);
    while (!condition() && clock() < until) await sleep(20);
    return condition();
  };
  if (!(await waitFor(() => workers.every((w) => w.synced), 120_000))) {
    console.error('not every client synced within 120 s');
    process.exit(1);
  }
  const broadcast = (message) => workers.forEach((w) => w.thread.postMessage(message));
  console.log('measuring');
  const started = clock();
  for (let step = 0; step < plan.steps.length; step++) {
    broadcast({ type: 'step', step, sending: true });
    await sleep(plan.steps[step][1] * 1000);
    console.log(`step ${step}`);
  }
  broadcast({ type: 'step', step: plan.steps.length - 1, sending: false });
  const elapsed = (clock() - started) / 1000;
  console.log('sent');
  // Quiet: every update acknowledged and delivered everywhere (or no progress for 2 s).
  const total = (key) => workers.reduce((s, w) => s + w.progress[key], 0);
  let last = -1;
  let still = 0;
  await waitFor(() => {
    const received = total('received');
    still = received === last ? still + 1 : 0;
    last = received;
    const answered = total('unsynced') === 0;
    return answered && (received >= total('expected') || still > 100);
  }, 20_000);
  await sleep(300);
  console.log('done');
  broadcast({ type: 'stop' });
  await waitFor(() => workers.every((w) => w.result), 30_000);
  const results = workers.map((w) => w.result);

  // Convergence: every client of a board holds the same notes.
  const views = new Map();
  for (const result of results) {
    for (const [board, view] of result.views) {
      if (!views.has(board)) views.set(board, new Set());
      views.get(board).add(view);
    }
  }
  const diverged = [...views.values()].filter((set) => set.size > 1).length;

  const steps = plan.steps.map(([rate, secs], i) => {
    const ack = results.flatMap((r) => r.ack[i] ?? []);
    const fanout = results.flatMap((r) => r.fanout[i] ?? []);
    return { target_rate: rate, achieved_rate: ack.length / secs, ack_ms: summary(ack), fanout_ms: summary(fanout), rss_mb: 0 };
  });
  const acked = results.reduce((s, r) => s + r.acked, 0);
  const result = {
    system: plan.system,
    workload: plan.workload,
    boards: plan.boards,
    clients: plan.clients,
    duration_s: elapsed,
    ops_sent: results.reduce((s, r) => s + r.sent.reduce((a, b) => a + b, 0), 0),
    ops_acked: acked,
    achieved_ops_per_s: acked / elapsed,
    errors: results.reduce((s, r) => s + r.errors, 0),
    rejected: 0,
    conflicts: 0,
    ack_ms: summary(results.flatMap((r) => r.ack.flat())),
    fanout_ms: summary(results.flatMap((r) => r.fanout.flat())),
    server_cpu_s: 0,
    server_peak_rss_mb: 0,
    client_cpu_s: 0,
    steps,
    sustainable_rate: null,
    diverged_boards: diverged,
  };
  writeFileSync(plan.out, JSON.stringify(result, null, 2));
  process.exit(0);
}

function summary(samples) {
  if (samples.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1] / 1000;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] / 1000 };
}

async function worker({ plan, index, count }) {
  const { HocuspocusProvider } = await import('@hocuspocus/provider');
  const { default: WebSocket } = await import('ws');
  const Y = await import('yjs');
  const HEADINGS = ['priorities', 'leadership', 'governance', 'finance'];
  const KINDS = ['strength', 'area_for_improvement', 'suggestion', 'question', 'notable_practice'];
  const totalClients = plan.boards * plan.clients;
  let step = 0;
  let sending = false;
  let stopping = false;
  let expected = 0;
  let received = 0;
  const micros = (ms) => Math.min(Math.round(ms * 1000), 0xffffffff);
  const record = (series, i, value) => {
    while (series.length <= i) series.push([]);
    series[i].push(value);
  };

  const clients = [];
  for (let id = index; id < totalClients; id += count) {
    const b = Math.floor(id / plan.clients);
    const c = id % plan.clients;
    const doc = new Y.Doc();
    const name = `board-${b}`;
    const client = { id, board: b, doc, notes: doc.getArray('notes'), ack: [], fanout: [], sent: [], acked: 0, errors: 0, unsynced: 0, ackQueue: [], synced: false, timer: null };
    client.provider = new HocuspocusProvider({
      url: plan.url, name, document: doc, token: `${name}:${c}`, WebSocketPolyfill: WebSocket,
      onSynced: () => { client.synced = true; },
      onAuthenticationFailed: () => { client.errors++; },
    });
    // Acks: the server confirms every update it applied; the provider counts them down.
    client.provider.on('unsyncedChanges', ({ number }) => {
      if (number < client.unsynced) {
        for (let i = 0; i < client.unsynced - number && client.ackQueue.length; i++) {
          const { sent, step: s } = client.ackQueue.shift();
          record(client.ack, s, micros(clock() - sent));
          client.acked++;
        }
      }
      client.unsynced = number;
    });
    // Fan-out: another client's operation arriving here; the note carries its send time.
    client.notes.observeDeep((events, transaction) => {
      if (transaction.local) return;
      const arrived = clock();
      for (const event of events) {
        const maps = [];
        if (event.target === client.notes) {
          for (const item of event.changes.added) {
            for (const content of item.content.getContent()) {
              if (content instanceof Y.Map) maps.push(content);
            }
          }
        } else if (event.target instanceof Y.Map && event.keysChanged.has('op')) {
          maps.push(event.target);
        }
        for (const map of maps) {
          record(client.fanout, map.get('step') ?? 0, micros(arrived - map.get('sent')));
          received++;
        }
      }
    });
    clients.push(client);
  }

  const randomKey = () => Math.random().toString(36).slice(2, 10);
  function operate(client) {
    const live = client.notes.length;
    const roll = Math.random() * 100;
    const heading = () => {
      const i = Math.floor(Math.random() * (HEADINGS.length + 1));
      return i < HEADINGS.length ? HEADINGS[i] : null;
    };
    const sent = clock();
    while (client.sent.length <= step) client.sent.push(0);
    client.sent[step]++;
    expected += plan.clients - 1;
    client.ackQueue.push({ sent, step });
    // Steady (as peerwall-bench's mix): between 300 and 500 notes half the creates become
    // deletes, above 500 every create does. A delete carries no note to time, so it is not
    // counted in the fan-out here (Peerwall's are).
    const deletes = !plan.steady || live < 300 ? 0 : live <= 500 ? 25 : 50;
    if (roll < deletes) {
      expected -= plan.clients - 1;
      client.doc.transact(() => client.notes.delete(Math.floor(Math.random() * live), 1));
      return;
    }
    client.doc.transact(() => {
      if (roll < 50 || live === 0) {
        const n = Math.floor(Math.random() * 10000);
        const note = new Y.Map();
        note.set('id', crypto.randomUUID());
        note.set('heading', heading());
        note.set('order', randomKey());
        note.set('text', `Bench note ${n}: partners value the council's visible leadership but want earlier involvement.`);
        note.set('kind', KINDS[n % KINDS.length]);
        note.set('source', `Interview ${n % 40}`);
        note.set('stakeholder', ['Officers', 'Councillors', 'Partners', 'Staff'][n % 4]);
        note.set('version', 1);
        note.set('op', crypto.randomUUID());
        note.set('sent', sent);
        note.set('step', step);
        client.notes.push([note]);
      } else {
        // Yjs arrays have no move: a note's place is its heading and order key (fields of its map).
        const note = client.notes.get(Math.floor(Math.random() * live));
        if (roll < 85) {
          note.set('heading', heading());
          note.set('order', randomKey());
        } else {
          note.set('text', `Edited: ${Math.floor(Math.random() * 10000)}`);
          note.set('version', (note.get('version') ?? 0) + 1);
        }
        note.set('sent', sent);
        note.set('step', step);
        note.set('op', crypto.randomUUID());
      }
    });
  }

  // Operations are due on a schedule of their own (each gap added to the last due time, not
  // to when the timer fired), so a busy event loop sends late but not fewer: the offered rate
  // is the step's, as in the Rust client. More than a second behind, the schedule restarts.
  function schedule(client, armed) {
    const rate = plan.steps[step][0] / totalClients;
    const gap = sending && rate > 0 ? -Math.log(1 - Math.random()) / rate : 0.05;
    const now = performance.now();
    const last = armed && client.due !== undefined && client.due > now - 1000 ? client.due : now;
    client.due = last + Math.min(gap, 60) * 1000;
    client.timer = setTimeout(() => {
      if (stopping) return;
      // The first gap after sending starts is a wait, so clients do not all fire at once.
      if (sending && armed && client.synced) operate(client);
      schedule(client, sending);
    }, Math.max(0, client.due - now));
  }

  parentPort.on('message', (message) => {
    if (message.type === 'step') {
      const wasSending = sending;
      step = message.step;
      sending = message.sending;
      // A new rate: each client's next operation drawn again at it (arrivals are memoryless),
      // rather than the first of the step still at the last step's pace.
      if (wasSending && sending) {
        clients.forEach((client) => {
          clearTimeout(client.timer);
          client.due = undefined;
          schedule(client, true);
        });
      }
    }
    if (message.type === 'stop') {
      stopping = true;
      clients.forEach((client) => clearTimeout(client.timer));
      const views = clients.map((client) => [client.board, JSON.stringify(client.notes.toJSON())]);
      parentPort.postMessage({
        type: 'result',
        ack: merge(clients.map((c) => c.ack)),
        fanout: merge(clients.map((c) => c.fanout)),
        sent: merge(clients.map((c) => c.sent.map((n) => [n]))).map((parts) => parts.reduce((a, b) => a + b, 0)),
        acked: clients.reduce((s, c) => s + c.acked, 0),
        errors: clients.reduce((s, c) => s + c.errors, 0),
        views,
      });
      clients.forEach((client) => client.provider.destroy());
      setTimeout(() => process.exit(0), 100);
    }
  });

  function merge(seriesList) {
    const merged = [];
    for (const series of seriesList) {
      series.forEach((samples, i) => {
        while (merged.length <= i) merged.push([]);
        for (const sample of samples) merged[i].push(sample);
      });
    }
    return merged;
  }

  const until = clock() + 120_000;
  while (!clients.every((c) => c.synced) && clock() < until) await sleep(20);
  parentPort.postMessage({ type: 'synced' });
  clients.forEach((client) => schedule(client, false));
  setInterval(() => {
    parentPort.postMessage({
      type: 'progress',
      sent: clients.reduce((s, c) => s + c.sent.reduce((a, b) => a + b, 0), 0),
      expected,
      received,
      unsynced: clients.reduce((s, c) => s + c.unsynced, 0),
    });
  }, 50);
}
