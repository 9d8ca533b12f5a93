// A fresh process that imports the ingest handler and handles one event (read from argv).
// Prints the milliseconds from process start to the handler's return.
const importStart = performance.now();
const { handler } = await import('../functions/ingest.js');
const imported = performance.now();
const result = await handler(JSON.parse(process.argv[2]!));
const done = performance.now();
console.log(JSON.stringify({ importStart, imported, done, failures: result.batchItemFailures.length }));
