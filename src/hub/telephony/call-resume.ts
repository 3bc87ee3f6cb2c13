import { type CallCenter, type CallState } from './call-center.js';

interface LiveRow {
  [key: string]: unknown;
  id: string;
  call_id: string;
  caller_tag: string | null;
  tindex: number | null;
  tlabel: number | null;
  state: CallState;
  task_id: string | null;
  agent_id: string | null;
  entered_at: Date | string;
  queue_id: string | null;
  task_status: string | null;
  task_agent_id: string | null;
  offer_id: string | null;
  offer_agent_id: string | null;
  offer_expires_at: Date | string | null;
  kamailio_instance: string | null;
}

/**
 * A new evapi owner rebuilds the live calls from the `calls` rows and their tasks and offers.
 * Kamailio still holds every suspended transaction (the old hub died, not the proxy), so:
 * - task queued → waiting (routed again at once);
 * - task offered with a pending offer → ringing that agent; the ring is asked for again (a no-op
 *   if the old ring is still on) and, as its outcome may have been reported to nobody, an offer
 *   that times out unreported ends the call (CallCenter.ringUnreported);
 * - task assigned (or wrapping) → connected: BYE and REFER are handled as before;
 * - anything else (the task ended, or a row from before migration 6 without transaction ids) →
 *   ended like a call lost with the proxy (`task.abandoned` reason `proxy_lost`, offer revoked);
 * - a waiting or ringing call that entered on another Kamailio instance than the one this hub's
 *   hello came from (Kamailio restarted while this hub was a standby) → ended the same way: its
 *   transaction is gone. Rows without an instance (before migration 7, or an older config that
 *   sends no hello) are resumed as before. If this hub has no hello yet, the first one decides
 *   (CallCenter.proxyConnected).
 * @returns how many calls were resumed and how many ended
 */
export async function resumeCalls(center: CallCenter): Promise<{ resumed: number; ended: number }> {
  const ctx = center.hubContext;
  const rows = await ctx.db.query<LiveRow>(
    `select c.id, c.call_id, c.caller_tag, c.tindex, c.tlabel, c.state, c.task_id, c.agent_id,
            c.entered_at, t.queue_id, t.status as task_status, t.agent_id as task_agent_id,
            o.id as offer_id, o.agent_id as offer_agent_id, o.expires_at as offer_expires_at,
            c.kamailio_instance
       from calls c
       left join tasks t on t.id = c.task_id
       left join offers o on o.task_id = c.task_id and o.status = 'pending'
      where c.state <> 'ended'
      order by c.entered_at`,
  );
  let resumed = 0;
  let ended = 0;
  for (const row of rows) {
    const base = {
      id: row.id,
      callId: row.call_id,
      callerTag: row.caller_tag ?? '',
      taskId: row.task_id ?? '',
      queueId: row.queue_id ?? '',
      tindex: row.tindex ?? -1,
      tlabel: row.tlabel ?? -1,
      enteredAt: new Date(row.entered_at),
      agentUser: null,
      ringId: null,
      proxyInstance: row.kamailio_instance,
      resumed: true,
    };
    const status = row.task_status;
    const known = row.tindex !== null && row.task_id !== null && row.queue_id !== null;
    const current = center.proxyInstance;
    const otherInstance =
      current !== null && row.kamailio_instance !== null && row.kamailio_instance !== current;
    if (known && otherInstance && (status === 'queued' || status === 'offered')) {
      const lost = center.adopt({
        ...base,
        state: status === 'offered' ? 'ringing' : 'waiting',
        agentId: row.offer_agent_id,
        offerId: row.offer_id,
        proxyLost: true,
      });
      await center.endLost(lost);
      ended++;
      continue;
    }
    if (known && status === 'queued') {
      center.adopt({ ...base, state: 'waiting', agentId: null, offerId: null });
    } else if (known && status === 'offered' && row.offer_id && row.offer_expires_at) {
      const call = center.adopt({
        ...base,
        state: 'ringing',
        agentId: row.offer_agent_id,
        offerId: row.offer_id,
        ringId: row.offer_id,
      });
      await center.reRing(call, new Date(row.offer_expires_at));
    } else if (row.task_id && (status === 'assigned' || status === 'wrapping')) {
      center.adopt({
        ...base,
        state: 'connected',
        agentId: row.task_agent_id ?? row.agent_id,
        offerId: null,
      });
    } else {
      const lost = center.adopt({
        ...base,
        state: row.state === 'connected' ? 'connected' : 'waiting',
        agentId: row.agent_id,
        offerId: null,
      });
      await center.endLost(lost);
      ended++;
      continue;
    }
    resumed++;
  }
  return { resumed, ended };
}
