// Publishes `count` events to `file` as `source`, one after the other, through the service.
import { connect } from '@prevention/client';

const [socketPath, file, source, count] = process.argv.slice(2);
const client = await connect({ socketPath, autoStart: false });
const bus = client.bus(file);
for (let i = 0; i < Number(count); i++) await bus.publish({ type: 'work.done', source, payload: { i } });
await client.close();
