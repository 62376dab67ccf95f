import { etl } from './etl';
import { notes } from './notes';
import { reliableMessaging } from './reliable-messaging';
import type { Scenario } from './scenario';
import { storageFirst } from './storage-first';
import { streamingEvents } from './streaming-events';

/** Every pipeline's scenario, in the order `make demo` runs them. A new pipeline adds its file here. */
export const scenarios: readonly Scenario[] = [storageFirst, etl, notes, reliableMessaging, streamingEvents];
