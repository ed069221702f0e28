// Preloaded into the app under test (node -r bench/capture-sql.js) when BENCH_CAPTURE_SQL names a file: appends
// every statement the app sends through pg ({ text, values }, one JSON line each). The bench reads the lines one
// request produced and replays them raw through pg as that request's baseline: "the same SQL".
const file = process.env.BENCH_CAPTURE_SQL;
if (file) {
  const fs = require('node:fs');
  const { Client } = require('pg');
  const query = Client.prototype.query;
  Client.prototype.query = function (config, values, callback) {
    const text = typeof config === 'string' ? config : config && config.text;
    const params = Array.isArray(values) ? values : config && config.values;
    if (typeof text === 'string')
      fs.appendFileSync(file, JSON.stringify({ text, values: params ?? [] }) + '\n');
    return query.apply(this, arguments);
  };
}
