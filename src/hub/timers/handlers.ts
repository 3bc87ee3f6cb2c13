import { presenceLost, returnWork } from '../agents/presence.js';
import { type HubConfig } from '../context.js';
import { type Query } from '../db/db.js';
import { type NewEvent } from '../events/append.js';
import { expireOffer, timeOutTask } from '../routing/offers.js';
import { endWrapUp } from '../tasks/complete.js';
import { type TimerRow } from './store.js';

/** What each kind of timer does when it falls due (inside the claiming transaction). */
export function timerHandler(config: HubConfig) {
  return async (q: Query, timer: TimerRow, now: Date): Promise<NewEvent[]> => {
    switch (timer.kind) {
      case 'offer_timeout':
        return timer.offer_id
          ? expireOffer(q, timer.offer_id, now, config.missedOffersBeforePause)
          : [];
      case 'wrap_up_end': {
        const row = await q<{ wrap_task_id: string | null }>(
          'select wrap_task_id from agents where id = $1',
          [timer.agent_id],
        );
        if (!timer.agent_id || !row[0]?.wrap_task_id) return [];
        return endWrapUp(q, timer.agent_id, now, { topic: null, endedBy: 'timer' });
      }
      case 'presence_lost':
        return timer.agent_id ? presenceLost(q, timer.agent_id, now, config.presence) : [];
      case 'return_work':
        return timer.agent_id ? returnWork(q, timer.agent_id, now) : [];
      case 'task_max_wait':
        return timer.task_id ? timeOutTask(q, timer.task_id, now) : [];
    }
  };
}
