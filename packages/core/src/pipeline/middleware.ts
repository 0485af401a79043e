import type { StateKey } from '../contract.js';


/** Creates a typed key for {@link WriteContext.state}. */
export function stateKey<T>(description: string): StateKey<T> {
  return { description };
}

