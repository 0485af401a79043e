// One process of the optimistic-update test: `count` increments of `counter` in `file`, each
// read with its ETag, applied here and committed with If-Match (retried when another wins).
import { connect } from '@prevention/client';

const [socketPath, file, count] = process.argv.slice(2);
const client = await connect({ socketPath, autoStart: false });
for (let i = 0; i < Number(count); i++) {
  await client.update(file, (doc) => {
    doc.counter = (doc.counter ?? 0) + 1;
  });
}
await client.close();
