import { writeFile } from 'node:fs/promises';
import { jsonFileCompetitor } from './json-store.mjs';

export default jsonFileCompetitor({
  id: 'fs-write-file',
  name: 'fs.writeFile (unsafe)',
  note: 'truncates and rewrites in place: no temp file, no fsync, no lock',
  write: (file, text) => writeFile(file, text),
});
