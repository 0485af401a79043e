// Connects from `cwd` the way an agent would (finding the project, starting the service if it
// does not answer), publishes one event, and prints it with the service's pid.
import { connect } from '@prevention/client';

const [cwd, file, source] = process.argv.slice(2);
const client = await connect({ cwd });
const event = await client.bus(file).publish({ type: 'hello', source });
process.stdout.write(`${JSON.stringify({ seq: event.seq, pid: (await client.health()).pid })}\n`);
await client.close();
