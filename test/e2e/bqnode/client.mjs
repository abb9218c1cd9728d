// Runs two queries through the @google-cloud/bigquery npm package against
// the BigQuery endpoint in SKIM_URL, without credentials, and prints what
// the client saw as one JSON object: for each query its rows and the job
// that ran it. The Go test ../bigquery_node_test.go runs it against skim.
import { BigQuery } from '@google-cloud/bigquery';

const apiEndpoint = process.env.SKIM_URL;
if (!apiEndpoint) {
  console.error('client.mjs: set SKIM_URL to the URL of skim, e.g. SKIM_URL=http://127.0.0.1:8081');
  process.exit(2);
}

// The library authenticates every request through google-auth-library,
// which has no "no credentials" mode for a custom endpoint (BigQuery does
// not pass common's customEndpoint flag). Without credentials it would
// look for Application Default Credentials and probe the GCE metadata
// server first. An authClient whose request headers are empty sends no
// Authorization header and needs nothing.
const noAuth = { getRequestHeaders: async () => new Headers() };

const bigquery = new BigQuery({
  projectId: 'test-project',
  apiEndpoint,
  authClient: noAuth,
  // A failure should show, not be retried.
  autoRetry: false,
});

// viaJobsQuery runs query with BigQuery.query, which uses jobs.query.
async function viaJobsQuery(query) {
  const [rows, , response] = await bigquery.query({ query, useLegacySql: false });
  return { query, rows, jobId: response?.jobReference?.jobId ?? null };
}

// viaJobsInsert runs query with createQueryJob (jobs.insert) and reads
// every page with getQueryResults.
async function viaJobsInsert(query) {
  const [job] = await bigquery.createQueryJob({ query, useLegacySql: false });
  const [rows] = await job.getQueryResults();
  return { query, rows, jobId: job.id };
}

console.log(JSON.stringify({
  randLimit: await viaJobsQuery('SELECT user_id, page FROM `test-project.analytics.events` ORDER BY RAND() LIMIT 500'),
  passthrough: await viaJobsInsert('SELECT user_id, country, created_at, plan FROM `test-project.analytics.users` ORDER BY user_id LIMIT 1500'),
}));
