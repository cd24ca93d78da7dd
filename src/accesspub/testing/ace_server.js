'use strict';
// Ace by DAISY for many EPUBs in one Node process that keeps one Chromium open.
//
//   node ace_server.js ACE_ROOT        (ACE_ROOT: the folder holding node_modules/@daisy/ace-core)
//
// Reads one JSON array per line on stdin, [id, epub, outdir], checks that EPUB with
// Ace (reports into outdir, as `ace --outdir` writes them) and prints one line per EPUB:
//   accesspub-ace {"id": ..., "ok": true}   or   accesspub-ace {"id": ..., "ok": false, "error": "..."}
// Lines may arrive before earlier EPUBs are done; those are checked side by side.  Other
// output (Ace's and Chromium's) never starts with the marker.  Ends when stdin closes.
//
// Why: the `ace` command starts Node, loads Ace and launches Chromium for every EPUB
// (about 1.7 s of its 3.6 s on a small EPUB); a test session checks some thirty EPUBs.

const path = require('path');
const readline = require('readline');

const aceRoot = process.argv[2];
const load = (name) => require(path.join(aceRoot, 'node_modules', name));
const ace = load('@daisy/ace-core');
const runner = load('@daisy/ace-axe-runner-puppeteer');

const MARKER = 'accesspub-ace ';
let launched = null;   // the promise of the one Chromium launch

// Ace launches and closes the browser around each EPUB; this runner launches it once.
const sharedRunner = {
  concurrency: runner.concurrency,
  setTimeout: (ms) => runner.setTimeout(ms),
  launch: () => (launched = launched || runner.launch()),
  close: async () => {},
  run: (...args) => runner.run(...args),
};

const reply = (message) => process.stdout.write(MARKER + JSON.stringify(message) + '\n');
const jobs = [];

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let id = null;
  try {
    const [jobId, epub, outdir] = JSON.parse(line);
    id = jobId;
    const options = { cwd: process.cwd(), outdir, lang: 'en', silent: true, jobId: '' };
    jobs.push(ace(epub, options, sharedRunner).then(
      () => reply({ id, ok: true }),
      (err) => reply({ id, ok: false, error: String((err && err.stack) || err) })));
  } catch (err) {
    reply({ id, ok: false, error: `bad request ${JSON.stringify(line)}: ${err}` });
  }
}).on('close', async () => {
  await Promise.allSettled(jobs);
  if (launched) {
    await launched.then(() => runner.close(), () => {});
  }
  process.exit(0);
});
