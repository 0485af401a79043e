import { writeFile } from 'atomically';
import { jsonFileCompetitor } from './json-store.mjs';

export default jsonFileCompetitor({
  id: 'atomically',
  name: 'atomically',
  note: 'temp + fsync + rename (no directory fsync); no lock',
  write: (file, text) => writeFile(file, text),
});
