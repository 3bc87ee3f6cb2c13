import { VisuallyHidden } from '@mantine/core';
import { useUiStore } from '../../stores/ui-store.js';

/** Screen readers hear new assignments here without the focus moving. */
export function LiveAnnouncer() {
  const announcement = useUiStore((s) => s.announcement);
  return (
    <VisuallyHidden role="status" aria-live="polite" aria-atomic="true">
      {announcement}
    </VisuallyHidden>
  );
}
