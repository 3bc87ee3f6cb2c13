import { userData001 } from './001-drafts-outbox.js';
import { type Migration } from '../../cache/migrations/types.js';

/** Every schema version of `outbox.sqlite`, in order. Add a file per version; never edit one. */
export const userDataMigrations: readonly Migration[] = [userData001];
