import { Text } from '@mantine/core';
import { useEffect, useState } from 'react';

export const formatDuration = (ms: number): string => {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
};

/** Time since `since` (answer or start), ticking every second. */
export function CallTimer({ since }: { since: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <Text size="sm" ff="monospace" data-testid="call-timer" aria-live="off">
      {formatDuration(now - Date.parse(since))}
    </Text>
  );
}
