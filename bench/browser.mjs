// Placeholder until the browser driver lands: one "n/a" line per model.
const args = process.argv.slice(2);
const get = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
for (const model of get('--models', 'dt,rf,gbdt,mlp').split(',')) {
  console.log(JSON.stringify({ kind: 'browser', dataset: get('--dataset'), model, fit_seconds: null, note: 'pending' }));
}
