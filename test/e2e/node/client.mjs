// Runs two queries through the trino-client npm package against the Trino
// endpoint in SKIM_URL and prints what the client saw as one JSON object:
// for each query its columns, rows, warnings and final state. The Go test
// ../node_test.go runs it against skim.
import { BasicAuth, Trino } from 'trino-client';

const server = process.env.SKIM_URL;
if (!server) {
  console.error('client.mjs: set SKIM_URL to the URL of skim, e.g. SKIM_URL=http://127.0.0.1:8081');
  process.exit(2);
}

const trino = Trino.create({
  server,
  catalog: 'demo',
  schema: 'web',
  source: 'node-e2e',
  auth: new BasicAuth('node'),
});

// run follows every page of one query.
async function run(query) {
  const result = { query, columns: [], rows: [], warnings: [], state: null, error: null };
  for await (const page of await trino.query(query)) {
    if (page.columns) {
      result.columns = page.columns.map((c) => ({ name: c.name, type: c.type }));
    }
    result.rows.push(...(page.data ?? []));
    result.warnings.push(...(page.warnings ?? []));
    result.state = page.stats?.state ?? result.state;
    result.error = page.error ?? result.error;
  }
  return result;
}

console.log(JSON.stringify({
  randLimit: await run('SELECT user_id, page FROM events ORDER BY rand() LIMIT 500'),
  passthrough: await run('SELECT * FROM users ORDER BY id LIMIT 1500'),
}));
