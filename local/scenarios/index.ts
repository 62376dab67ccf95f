import { etl } from './etl';
import { notes } from './notes';
import type { Scenario } from './scenario';
import { storageFirst } from './storage-first';

/** Every pipeline's scenario, in the order `make demo` runs them. A new pipeline adds its file here. */
export const scenarios: readonly Scenario[] = [storageFirst, etl, notes];
