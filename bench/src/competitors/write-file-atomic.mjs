import writeFileAtomic from 'write-file-atomic';
import { jsonFileCompetitor } from './json-store.mjs';

export default jsonFileCompetitor({
  id: 'write-file-atomic',
  name: 'write-file-atomic',
  note: 'temp + fsync + rename (no directory fsync); no lock',
  write: (file, text) => writeFileAtomic(file, text),
});
